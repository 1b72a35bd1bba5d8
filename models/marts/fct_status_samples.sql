-- One row per status sample that counts for FPS metrics (before the session's
-- close), in its own UTC hour, under the identity valid at the sample.
-- delete key session_key on an event grain: all rows of each recomputed session are
-- deleted and its samples re-inserted (docs/incremental.md, rule R1).
{{ config(
    order_by=['event_id'],
    unique_key='session_key',
) }}
with

samples as (

    select * from {{ ref('int_status_samples') }}
    where {{ in_affected_sessions() }}

),

sessions as (

    select * from {{ ref('int_sessions') }}
    where {{ in_affected_sessions() }}

),

final as (

    select
        samples.event_id as event_id,
        samples.session_key as session_key,
        samples.event_at as sample_at,
        {{ hour_start('samples.event_at') }} as window_start,
        sessions.gateway as gateway,
        sessions.region as region,
        samples.orchestrator_address as orchestrator_address,
        samples.gpu_id as gpu_id,
        samples.model_id as model_id,
        samples.pipeline as pipeline,
        samples.attribution_method as attribution_method,
        samples.state as state,
        samples.output_fps as output_fps,
        samples.input_fps as input_fps
    from samples
    inner join sessions on samples.session_key = sessions.session_key
    where samples.is_fps_eligible

)

select * from final
