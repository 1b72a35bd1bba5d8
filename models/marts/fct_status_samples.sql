-- One row per status sample that counts for FPS metrics (before the session's
-- close), in its own UTC hour, under the identity valid at the sample.
with

samples as (

    select * from {{ ref('int_status_samples') }}

),

sessions as (

    select * from {{ ref('int_sessions') }}

),

final as (

    select
        samples.event_id,
        samples.session_key,
        samples.event_at as sample_at,
        {{ hour_start('samples.event_at') }} as window_start,
        sessions.gateway,
        sessions.region,
        samples.orchestrator_address,
        samples.gpu_id,
        samples.model_id,
        samples.pipeline,
        samples.attribution_method,
        samples.state,
        samples.output_fps,
        samples.input_fps
    from samples
    inner join sessions on samples.session_key = sessions.session_key
    where samples.is_fps_eligible

)

select * from final
