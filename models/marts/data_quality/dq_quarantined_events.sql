-- Every delivered line that did not become an event, with its reason code
-- and raw text (README, "Data quality"): lines the reader or the envelope
-- checks rejected, and copies of an accepted id whose payload or time differs
-- from the copy kept (`conflicting_duplicate`).
with

deliveries as (

    select * from {{ ref('stg_livepeer__deliveries') }}

),

events as (

    select * from {{ ref('stg_livepeer__events') }}

),

rejected as (

    select
        delivery_key,
        source_file,
        line_number,
        event_id,
        event_type,
        envelope_ms,
        quarantine_reason,
        raw_line as raw_text
    from deliveries
    where quarantine_reason is not null

),

repeated_ids as (

    -- only an id delivered more than once can have a conflicting copy
    select event_id
    from deliveries
    where quarantine_reason is null
    group by event_id
    having count(*) > 1

),

conflicting as (

    select
        deliveries.delivery_key as delivery_key,
        deliveries.source_file as source_file,
        deliveries.line_number as line_number,
        deliveries.event_id as event_id,
        deliveries.event_type as event_type,
        deliveries.envelope_ms as envelope_ms,
        'conflicting_duplicate' as quarantine_reason,
        cast(deliveries.payload as varchar) as raw_text
    from deliveries
    inner join repeated_ids on deliveries.event_id = repeated_ids.event_id
    inner join events on deliveries.event_id = events.event_id
    where
        deliveries.quarantine_reason is null
        and not (
            deliveries.envelope_ms = events.envelope_ms
            and cast(deliveries.payload as varchar) = cast(events.payload as varchar)
        )

),

final as (

    select * from rejected
    union all
    select * from conflicting

)

select * from final
