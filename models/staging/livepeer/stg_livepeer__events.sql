-- Which copy of each accepted event id is kept: one row per id, re-decided for
-- every id delivered since this model's last successful run, over every copy
-- ever delivered (two hash aggregates over the ledger's key columns: identical
-- copies first, then ids). The kept copy has the smallest envelope timestamp
-- (ties: payload hash; among identical copies the first by file); `delivery_count` counts its
-- identical copies (same payload and time); copies that differ are quarantined
-- as `conflicting_duplicate` (dq_quarantined_events). The family models read the kept copy's fields
-- from stg_livepeer__deliveries.
-- delete key event_id: each id delivered in the batch is re-decided over all its copies
-- and rewritten.
{{ config(
    order_by=['event_id'],
    unique_key='event_id',
) }}
with

new_ids as (

    select distinct event_id
    from {{ ref('stg_livepeer__deliveries') }}
    where quarantine_reason is null
        and {{ in_new_batches() }}

),

copies as (

    select
        delivery_key,
        event_id,
        event_type,
        envelope_ms,
        is_timestamp_in_seconds,
        source_file,
        payload_hash,
        line_count
    from {{ ref('stg_livepeer__deliveries') }}
    where quarantine_reason is null
        and event_id in (select new_ids.event_id from new_ids)

),

copy_groups as (

    -- copies of an id with the same payload hash are identical: one group each
    -- (the delivery key starts with the source file, so its minimum is the
    -- first copy by file)
    select
        event_id,
        payload_hash,
        -- (not aliased envelope_ms: ClickHouse would read the alias inside group_order)
        min(envelope_ms) as first_envelope_ms,
        {{ copy_group_order('min(envelope_ms)', 'payload_hash') }} as group_order,
        sum(line_count) as copy_count,
        min(delivery_key) as first_delivery_key,
        min(event_type) as event_type,
        {{ arg_min('is_timestamp_in_seconds', 'delivery_key') }} as is_timestamp_in_seconds,
        min(source_file) as source_file
    from copies
    group by event_id, payload_hash

),

kept as (

    -- the first group (earliest envelope time, then payload hash) is kept
    select
        event_id,
        {{ arg_min('first_delivery_key', 'group_order') }} as kept_delivery_key,
        {{ arg_min('event_type', 'group_order') }} as event_type,
        min(first_envelope_ms) as envelope_ms,
        {{ arg_min('is_timestamp_in_seconds', 'group_order') }} as is_timestamp_in_seconds,
        {{ arg_min('payload_hash', 'group_order') }} as payload_hash,
        {{ arg_min('source_file', 'group_order') }} as source_file,
        {{ arg_min('copy_count', 'group_order') }} as delivery_count,
        sum(copy_count) - {{ arg_min('copy_count', 'group_order') }} as conflicting_line_count
    from copy_groups
    group by event_id

),

final as (

    select
        event_id,
        event_type,
        kept_delivery_key,
        envelope_ms,
        {{ epoch_ms_to_timestamp('envelope_ms') }} as envelope_at,
        is_timestamp_in_seconds,
        payload_hash,
        delivery_count,
        conflicting_line_count,
        nullif(source_file, '') as source_file,
        {{ batch_loaded_ms() }} as loaded_ms
    from kept

)

select * from final
