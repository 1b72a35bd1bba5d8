-- Session-scoped events that carry neither stream_id nor request_id: they
-- belong to no session and are kept here, not silently dropped.
-- a table rebuilt in full each run (no delete key); ClickHouse sorts it by its grain.
{{ config(
    order_by=['event_id'],
) }}
with

session_events as (

    select * from {{ ref('int_session_events') }}

),

final as (

    select
        event_id,
        event_family,
        gateway,
        {{ epoch_ms_to_timestamp('event_ms') }} as event_at
    from session_events
    where session_key is null

)

select * from final
