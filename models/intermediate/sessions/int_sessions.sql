-- The session spine: one row per session_key with its identity, gateway,
-- region and active interval (first to last event of any family). A session
-- whose events span more than `max_session_hours` is almost certainly a clock
-- error or a reused identifier: its active interval is capped there (so one
-- such session cannot add days of minutes and hour rows) and it is flagged
-- (dq_capped_sessions).
-- delete key session_key: every row of each recomputed session is replaced
-- (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key'],
    unique_key='session_key',
) }}
with

session_events as (

    select * from {{ ref('int_session_events') }}
    where session_key is not null
        and {{ in_affected_sessions() }}

),

milestones as (

    select * from {{ ref('int_session_trace_milestones') }}
    where {{ in_affected_sessions() }}

),

gateway_regions as (

    select * from {{ ref('gateway_regions') }}

),

spans as (

    select
        session_key,
        max(stream_id) as stream_id,
        max(request_id) as request_id,
        -- the gateway that handled the session: its first non-empty report
        coalesce(
            {{ arg_min("case when gateway != '' then gateway end", "case when gateway != '' then event_ms end") }},
            ''
        ) as gateway,
        min(event_ms) as first_event_ms,
        max(event_ms) as last_event_ms,
        count(*) as event_count
    from session_events
    group by 1

),

final as (

    select
        spans.session_key as session_key,
        spans.stream_id as stream_id,
        spans.request_id as request_id,
        spans.gateway as gateway,
        coalesce(gateway_regions.region, '') as region,
        coalesce(milestones.stream_request_ms, spans.first_event_ms) as session_start_ms,
        spans.first_event_ms as first_event_ms,
        spans.last_event_ms as last_event_ms,
        least(spans.last_event_ms, spans.first_event_ms + {{ var('max_session_hours') }} * 3600000) as active_end_ms,
        spans.last_event_ms - spans.first_event_ms > {{ var('max_session_hours') }} * 3600000 as is_span_capped,
        spans.event_count as event_count
    from spans
    left join milestones on spans.session_key = milestones.session_key
    left join gateway_regions on spans.gateway = gateway_regions.gateway

)

select * from final
