-- Which copy of each accepted event id is kept: one row per id, re-decided for
-- every id delivered since this model's last successful run, over every copy
-- ever delivered (one hash aggregate over the ledger's key columns). The kept
-- copy has the smallest envelope timestamp (ties: payload hash, source file,
-- delivery key); `delivery_count` counts its identical copies (same payload
-- and time); copies that differ are quarantined as `conflicting_duplicate`
-- (dq_quarantined_events). The family models read the kept copy's fields
-- from stg_livepeer__deliveries.
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
        timestamp_was_seconds,
        source_file,
        payload_hash
    from {{ ref('stg_livepeer__deliveries') }}
    where quarantine_reason is null
        and event_id in (select new_ids.event_id from new_ids)

),

kept as (

    select
        event_id,
        {{ arg_min('delivery_key', ordering_key(['envelope_ms', 'payload_hash', 'source_file', 'delivery_key'])) }}
            as kept_delivery_key
    from copies
    group by event_id

),

counted as (

    select
        kept.event_id as event_id,
        kept.kept_delivery_key as kept_delivery_key,
        winner.event_type as event_type,
        winner.envelope_ms as envelope_ms,
        winner.timestamp_was_seconds as timestamp_was_seconds,
        winner.payload_hash as payload_hash,
        nullif(winner.source_file, '') as source_file,
        sum(case when copies.payload_hash = winner.payload_hash then 1 else 0 end)
            as delivery_count,
        sum(case when copies.payload_hash != winner.payload_hash then 1 else 0 end)
            as conflicting_line_count
    from kept
    inner join copies as winner on kept.kept_delivery_key = winner.delivery_key
    inner join copies on kept.event_id = copies.event_id
    group by 1, 2, 3, 4, 5, 6, 7

),

final as (

    select
        event_id,
        event_type,
        kept_delivery_key,
        envelope_ms,
        {{ epoch_ms_to_timestamp('envelope_ms') }} as envelope_at,
        timestamp_was_seconds,
        payload_hash,
        delivery_count,
        conflicting_line_count,
        source_file,
        {{ batch_loaded_ms() }} as loaded_ms
    from counted

)

select * from final
