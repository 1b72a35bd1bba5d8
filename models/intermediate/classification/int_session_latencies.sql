-- Startup, E2E-proxy and prompt-to-playable latency in ms (docs/sessions.md).
-- NULL when either edge is missing or the difference is negative.
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

samples as (

    select * from {{ ref('int_status_samples') }}
    where {{ in_affected_sessions() }}

),

prompt_starts as (

    select
        session_key,
        min(start_time_ms) as prompt_start_ms
    from samples
    group by 1

),

edges as (

    select
        sessions.session_key as session_key,
        milestones.first_processed_ms - milestones.stream_request_ms as startup_delta_ms,
        milestones.runner_first_processed_ms - milestones.first_ingest_sent_ms as e2e_delta_ms,
        milestones.playable_ms - prompt_starts.prompt_start_ms as prompt_to_playable_delta_ms
    from sessions
    left join milestones on sessions.session_key = milestones.session_key
    left join prompt_starts on sessions.session_key = prompt_starts.session_key

),

final as (

    select
        session_key,
        case when startup_delta_ms >= 0 then startup_delta_ms end as startup_latency_ms,
        case when e2e_delta_ms >= 0 then e2e_delta_ms end as e2e_latency_ms,
        case when prompt_to_playable_delta_ms >= 0 then prompt_to_playable_delta_ms end
            as prompt_to_playable_latency_ms
    from edges

)

select * from final
