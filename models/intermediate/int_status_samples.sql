-- Every status sample with its session, the identity valid at the sample
-- (its own attribution) and whether it counts for FPS metrics: samples after
-- the session's gateway_ingest_stream_closed do not.
with

status as (

    select * from {{ ref('stg_livepeer__ai_stream_status') }}

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
        sessioned.event_id,
        sessioned.session_key,
        sessioned.event_ms,
        sessioned.event_at,
        sessioned.state,
        sessioned.output_fps,
        sessioned.input_fps,
        sessioned.last_error,
        sessioned.restart_count,
        sessioned.start_time_ms,
        observations.orchestrator_address,
        observations.gpu_id,
        coalesce(observations.model_id, model_hints.session_model_hint, '') as model_id,
        coalesce(observations.pipeline, '') as pipeline,
        coalesce(observations.attribution_method, 'none') as attribution_method,
        coalesce(milestones.closed_ms < sessioned.event_ms, false) as is_after_close,
        sessioned.output_fps is not null
        and not coalesce(milestones.closed_ms < sessioned.event_ms, false) as is_fps_eligible
    from sessioned
    left join milestones on sessioned.session_key = milestones.session_key
    left join observations on sessioned.event_id = observations.event_id
    left join model_hints on sessioned.session_key = model_hints.session_key

)

select * from final
