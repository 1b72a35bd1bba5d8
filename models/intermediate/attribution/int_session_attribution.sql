-- The orchestrator, GPU, model and pipeline a session is counted under: the
-- identity that served its startup, i.e. its first attributed observation.
-- A session with no attributed observation keeps its model hint, with
-- method `none` and no orchestrator.
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

observations as (

    select * from {{ ref('int_observations_attributed') }}
    where {{ in_affected_sessions() }}

),

model_hints as (

    select * from {{ ref('int_session_model_hints') }}
    where {{ in_affected_sessions() }}

),

first_attributed as (

    select *
    from observations
    where attribution_method != 'none'
    qualify row_number() over (partition by session_key order by event_ms, event_id) = 1

),

final as (

    select
        sessions.session_key as session_key,
        first_attributed.orchestrator_address as orchestrator_address,
        first_attributed.gpu_id as gpu_id,
        coalesce(first_attributed.model_id, model_hints.session_model_hint, '') as model_id,
        coalesce(first_attributed.pipeline, '') as pipeline,
        coalesce(first_attributed.attribution_method, 'none') as attribution_method,
        coalesce(first_attributed.attribution_confidence, 0.0) as attribution_confidence,
        coalesce(first_attributed.gpu_attribution_method, 'none') as gpu_attribution_method
    from sessions
    left join first_attributed on sessions.session_key = first_attributed.session_key
    left join model_hints on sessions.session_key = model_hints.session_key

)

select * from final
