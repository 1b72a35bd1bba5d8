-- Every status sample with its session, the identity valid at the sample
-- (its own attribution; a sample that reports no orchestrator keeps its
-- session's identity) and whether it counts for FPS metrics: samples after
-- the session's gateway_ingest_stream_closed do not.
-- delete key session_key on an event grain: all rows of each recomputed session are
-- deleted and its samples re-inserted (docs/incremental.md, rule R1).
{{ config(
    order_by=['event_id'],
    unique_key='session_key',
) }}
with

status as (

    select * from {{ ref('stg_livepeer__ai_stream_status') }}
    where {{ in_affected_sessions(session_key('stream_id', 'request_id')) }}

),

milestones as (

    select * from {{ ref('int_session_trace_milestones') }}

),

observations as (

    select * from {{ ref('int_observations_attributed') }}

),

model_hints as (

    select * from {{ ref('int_session_model_hints') }}

),

session_attribution as (

    select * from {{ ref('int_session_attribution') }}

),

keyed as (

    select
        *,
        {{ session_key('stream_id', 'request_id') }} as session_key
    from status

),

sessioned as (

    select * from keyed
    where session_key is not null

),

final as (

    select
        sessioned.event_id as event_id,
        sessioned.session_key as session_key,
        sessioned.event_ms as event_ms,
        sessioned.event_at as event_at,
        sessioned.state as state,
        sessioned.output_fps as output_fps,
        sessioned.input_fps as input_fps,
        sessioned.last_error as last_error,
        sessioned.restart_count as restart_count,
        sessioned.start_time_ms as start_time_ms,
        -- a sample that reports no orchestrator keeps its session's identity
        case
            when observations.event_id is null then session_attribution.orchestrator_address
            else observations.orchestrator_address
        end as orchestrator_address,
        case
            when observations.event_id is null then session_attribution.gpu_id
            else observations.gpu_id
        end as gpu_id,
        case
            when observations.event_id is null then session_attribution.model_id
            else coalesce(observations.model_id, model_hints.session_model_hint, '')
        end as model_id,
        case
            when observations.event_id is null then session_attribution.pipeline
            else coalesce(observations.pipeline, '')
        end as pipeline,
        case
            when observations.event_id is null then 'session_fallback'
            else observations.attribution_method
        end as attribution_method,
        coalesce(milestones.closed_ms < sessioned.event_ms, false) as is_after_close,
        sessioned.output_fps is not null
        and not coalesce(milestones.closed_ms < sessioned.event_ms, false) as is_fps_eligible
    from sessioned
    left join milestones on sessioned.session_key = milestones.session_key
    left join observations on sessioned.event_id = observations.event_id
    left join model_hints on sessioned.session_key = model_hints.session_key
    left join session_attribution on sessioned.session_key = session_attribution.session_key

)

select * from final
