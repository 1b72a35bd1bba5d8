-- One row per distinct accepted event id: among every copy ever delivered
-- without a quarantine reason, the one with the earliest envelope timestamp
-- (ties: payload text, then source file) is kept, whatever batch the copies
-- arrived in. `delivery_count` counts the identical copies; a copy whose
-- payload differs from the kept one is quarantined as `conflicting_duplicate`
-- (dq_quarantined_events).
with

deliveries as (

    select * from {{ ref('stg_livepeer__deliveries') }}
    where quarantine_reason is null

),

batch_ids as (

    -- ids delivered since this model's last successful run (all on a full build): the
    -- copy kept is re-decided over every copy ever delivered
    select distinct event_id
    from {{ ref('stg_livepeer__deliveries') }}
    where {{ in_new_batches() }}

),

candidates as (

    select deliveries.*
    from deliveries
    where deliveries.event_id in (select batch_ids.event_id from batch_ids)

),

counted as (

    select
        *,
        count(*) over (partition by event_id) as copies_delivered
    from candidates

),

ranked as (

    -- only ids delivered more than once need ordering (most are delivered once)
    select
        *,
        row_number() over (
            partition by event_id
            order by envelope_ms, cast(payload as varchar), source_file, delivery_key
        ) as copy_rank
    from counted
    where copies_delivered > 1

),

winners as (

    select
        event_id,
        event_type,
        gateway,
        envelope_ms,
        timestamp_was_seconds,
        payload,
        source_file
    from counted
    where copies_delivered = 1

    union all

    select
        event_id,
        event_type,
        gateway,
        envelope_ms,
        timestamp_was_seconds,
        payload,
        source_file
    from ranked
    where copy_rank = 1

),

copies as (

    -- identical copies (same envelope time and payload) of a redelivered winner
    select
        ranked.event_id as event_id,
        count(*) as delivery_count
    from ranked
    inner join winners
        on ranked.event_id = winners.event_id
            and cast(ranked.payload as varchar) = cast(winners.payload as varchar)
            and ranked.envelope_ms = winners.envelope_ms
    group by ranked.event_id

),

final as (

    select
        winners.event_id as event_id,
        winners.event_type as event_type,
        winners.gateway as gateway,
        winners.envelope_ms as envelope_ms,
        {{ epoch_ms_to_timestamp('winners.envelope_ms') }} as envelope_at,
        winners.timestamp_was_seconds as timestamp_was_seconds,
        winners.payload as payload,
        coalesce(copies.delivery_count, 1) as delivery_count,
        nullif(winners.source_file, '') as source_file,
        {{ batch_loaded_ms() }} as loaded_ms
    from winners
    left join copies on winners.event_id = copies.event_id

)

select * from final
