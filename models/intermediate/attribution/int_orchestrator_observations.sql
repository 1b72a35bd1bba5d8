-- Every trace or status sample that reports an orchestrator (hot wallet and
-- URL), with its session's model hint, ready to be resolved against the
-- capability snapshots.
-- delete key session_key on an event grain: all rows of each recomputed session are
-- deleted and its events re-inserted (docs/incremental.md, rule R1).
{{ config(
    order_by=['event_id'],
    unique_key='session_key',
) }}
with

traces as (

    select * from {{ ref('stg_livepeer__stream_trace') }}
    where {{ in_affected_sessions(session_key('stream_id', 'request_id')) }}

),

status as (

    select * from {{ ref('stg_livepeer__ai_stream_status') }}
    where {{ in_affected_sessions(session_key('stream_id', 'request_id')) }}

),

model_hints as (

    select * from {{ ref('int_session_model_hints') }}

),

observations as (

    select
        event_id,
        'stream_trace' as event_family,
        {{ session_key('stream_id', 'request_id') }} as session_key,
        event_ms,
        orchestrator_wallet,
        orchestrator_url
    from traces
    where orchestrator_wallet is not null

    union all

    select
        event_id,
        'ai_stream_status' as event_family,
        {{ session_key('stream_id', 'request_id') }} as session_key,
        event_ms,
        orchestrator_wallet,
        orchestrator_url
    from status
    where orchestrator_wallet is not null

),

final as (

    select
        observations.event_id as event_id,
        observations.event_family as event_family,
        observations.session_key as session_key,
        observations.event_ms as event_ms,
        observations.orchestrator_wallet as orchestrator_wallet,
        observations.orchestrator_url as orchestrator_url,
        model_hints.session_model_hint as session_model_hint
    from observations
    left join model_hints on observations.session_key = model_hints.session_key
    where observations.session_key is not null

)

select * from final
