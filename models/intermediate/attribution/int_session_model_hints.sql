-- The model a session asked for: the first status `pipeline` (which holds a
-- model id), else the first `pipeline` named by its stream events or traces.
-- delete key session_key: every row of each recomputed session is replaced
-- (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key'],
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

stream_events as (

    select * from {{ ref('stg_livepeer__ai_stream_events') }}
    where {{ in_affected_sessions(session_key('stream_id', 'request_id')) }}

),

hint_candidates as (

    select
        {{ session_key('stream_id', 'request_id') }} as session_key,
        model_hint,
        event_ms,
        1 as hint_priority
    from status
    where model_hint is not null

    union all

    select
        {{ session_key('stream_id', 'request_id') }} as session_key,
        model_hint,
        event_ms,
        2 as hint_priority
    from stream_events
    where model_hint is not null

    union all

    select
        {{ session_key('stream_id', 'request_id') }} as session_key,
        model_hint,
        event_ms,
        2 as hint_priority
    from traces
    where model_hint is not null

),

final as (

    select
        session_key,
        model_hint as session_model_hint
    from hint_candidates
    where session_key is not null
    qualify row_number() over (
            partition by session_key order by hint_priority, event_ms, model_hint
        ) = 1

)

select * from final
