-- Every delivered line that did not become an event, with its reason code
-- and raw text (README, "Data quality"): lines the reader or the envelope
-- checks rejected, and copies of an accepted id whose payload or time differs
-- from the copy kept (`conflicting_duplicate`). Each import reads only the
-- columns and rows it needs, once (the ledger is the widest table).
with

rejected_lines as (

    select
        delivery_key,
        source_file,
        line_number,
        event_id,
        event_type,
        envelope_ms,
        quarantine_reason,
        raw_line as raw_text
    from {{ ref('stg_livepeer__deliveries') }}
    where quarantine_reason is not null

),

accepted_ids as (

    select event_id from {{ ref('stg_livepeer__deliveries') }}
    where quarantine_reason is null

),

accepted_lines as (

    select * from {{ ref('stg_livepeer__deliveries') }}
    where quarantine_reason is null

),

events as (

    select * from {{ ref('stg_livepeer__events') }}

),

repeated_ids as (

    -- only an id delivered more than once can have a conflicting copy
    select event_id
    from accepted_ids
    group by event_id
    having count(*) > 1

),

conflicting as (

    select
        accepted_lines.delivery_key as delivery_key,
        accepted_lines.source_file as source_file,
        accepted_lines.line_number as line_number,
        accepted_lines.event_id as event_id,
        accepted_lines.event_type as event_type,
        accepted_lines.envelope_ms as envelope_ms,
        'conflicting_duplicate' as quarantine_reason,
        cast(accepted_lines.payload as varchar) as raw_text
    from accepted_lines
    inner join repeated_ids on accepted_lines.event_id = repeated_ids.event_id
    inner join events on accepted_lines.event_id = events.event_id
    where
        not (
            accepted_lines.envelope_ms = events.envelope_ms
            and cast(accepted_lines.payload as varchar) = cast(events.payload as varchar)
        )

),

final as (

    select * from rejected_lines
    union all
    select * from conflicting

)

select * from final
