-- Startup classification, rules applied in the documented order (docs/sessions.md):
--   1. no gateway_receive_stream_request        -> not_in_denominator
--   2. playable seen                            -> success (beats everything below)
--   3. no-orchestrator trace seen               -> excused (no_orchestrator)
--   4. >= 1 error and every error excusable     -> excused (excusable_errors)
--   5. otherwise                                -> unexcused
-- delete key session_key: every row of each recomputed session is replaced
-- (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key'],
    unique_key='session_key',
) }}
with

sessions as (

    select * from {{ ref('int_sessions') }}
    where {{ in_affected_sessions() }}

),

milestones as (

    select * from {{ ref('int_session_trace_milestones') }}
    where {{ in_affected_sessions() }}

),

errors as (

    select * from {{ ref('int_errors_classified') }}
    where {{ in_affected_sessions() }}

),

session_errors as (

    select
        session_key,
        count(*) as error_count,
        count(case when is_excusable then 1 end) as excusable_error_count
    from errors
    where session_key is not null
    group by 1

),

signals as (

    select
        sessions.session_key as session_key,
        milestones.stream_request_ms is not null as has_stream_request,
        milestones.playable_ms is not null as has_playable,
        milestones.no_orchestrator_ms is not null as has_missing_capacity,
        coalesce(session_errors.error_count, 0) as error_count,
        coalesce(session_errors.excusable_error_count, 0) as excusable_error_count
    from sessions
    left join milestones on sessions.session_key = milestones.session_key
    left join session_errors on sessions.session_key = session_errors.session_key

),

classified as (

    select
        *,
        case
            when not has_stream_request then 'not_in_denominator'
            when has_playable then 'success'
            when has_missing_capacity then 'excused'
            when error_count > 0 and excusable_error_count = error_count then 'excused'
            else 'unexcused'
        end as startup_outcome,
        case
            when not has_stream_request or has_playable then null
            when has_missing_capacity then 'no_orchestrator'
            when error_count > 0 and excusable_error_count = error_count then 'excusable_errors'
        end as excusal_reason
    from signals

),

final as (

    select
        session_key,
        startup_outcome,
        excusal_reason,
        has_stream_request,
        has_playable,
        has_missing_capacity,
        error_count,
        excusable_error_count
    from classified

)

select * from final
