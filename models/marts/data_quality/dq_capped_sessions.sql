-- Sessions whose events span more than `max_session_hours`: almost certainly a
-- clock error or a reused stream/request id. Their active interval (inference
-- minutes, hour rows) is capped at max_session_hours after their first event;
-- everything else about them counts as usual.
-- a table rebuilt in full each run (no delete key); ClickHouse sorts it by its grain.
{{ config(
    order_by=['session_key'],
) }}
with

sessions as (

    select * from {{ ref('int_sessions') }}
    where is_span_capped

),

final as (

    select
        session_key,
        {{ epoch_ms_to_timestamp('first_event_ms') }} as first_event_at,
        {{ epoch_ms_to_timestamp('last_event_ms') }} as last_event_at,
        (last_event_ms - first_event_ms) / 3600000.0 as span_hours,
        event_count
    from sessions

)

select * from final
