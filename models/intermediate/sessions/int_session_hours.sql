-- A session's active interval (first event to active_end_ms, its last event
-- unless capped) split across the UTC hours it overlaps, so that hourly
-- inference minutes add up exactly to the session's active minutes.
-- delete key session_key on a session x hour grain: all hours of each recomputed
-- session are replaced (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key', 'window_start'],
    unique_key='session_key',
) }}
with

sessions as (

    select * from {{ ref('int_sessions') }}
    where {{ in_affected_sessions() }}

),

hours as (

    select
        sessions.session_key as session_key,
        sessions.first_event_ms as first_event_ms,
        sessions.active_end_ms as active_end_ms,
        hour_ms
    from sessions
    {{ hour_rows('sessions.first_event_ms', 'sessions.active_end_ms', 'hour_ms') }}

),

final as (

    select
        session_key,
        {{ epoch_ms_to_timestamp('hour_ms') }} as window_start,
        (
            least(active_end_ms, hour_ms + 3600000) - greatest(first_event_ms, hour_ms)
        ) / 60000.0 as active_minutes
    from hours

)

select * from final
