-- Every delivered line that did not become an event, with its reason code
-- and raw text (docs/data-quality.md): lines the reader or the envelope
-- checks rejected, and copies of an accepted id whose payload or time differs
-- from the copy kept (`conflicting_duplicate`). Identical lines of one file
-- are one row, counted by `line_count`.
-- a table rebuilt in full each run (no delete key); ClickHouse sorts it by its grain.
{{ config(
    order_by=['delivery_key'],
) }}
with

rejected_lines as (

    select
        delivery_key,
        source_file,
        line_number,
        line_count,
        event_id,
        event_type,
        envelope_ms,
        quarantine_reason,
        raw_line as raw_text
    from {{ ref('stg_livepeer__deliveries') }}
    where quarantine_reason is not null

),

conflicted_events as (

    -- only an id with a conflicting copy (few) is looked at
    select
        event_id,
        payload_hash
    from {{ ref('stg_livepeer__events') }}
    where conflicting_line_count > 0

),

accepted_lines as (

    select * from {{ ref('stg_livepeer__deliveries') }}
    where quarantine_reason is null

),

conflicting as (

    select
        accepted_lines.delivery_key as delivery_key,
        accepted_lines.source_file as source_file,
        accepted_lines.line_number as line_number,
        accepted_lines.line_count as line_count,
        accepted_lines.event_id as event_id,
        accepted_lines.event_type as event_type,
        accepted_lines.envelope_ms as envelope_ms,
        'conflicting_duplicate' as quarantine_reason,
        -- the copy as parsed (its payload fields), for comparison with the kept one
        {{ payload_as_json('accepted_lines') }} as raw_text
    from accepted_lines
    inner join conflicted_events on accepted_lines.event_id = conflicted_events.event_id
    where accepted_lines.payload_hash != conflicted_events.payload_hash

),

final as (

    select * from rejected_lines
    union all
    select * from conflicting

)

select * from final
