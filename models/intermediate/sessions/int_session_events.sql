-- Every session-scoped event (trace, status, stream event, ingest metrics) with
-- its session_key (docs/sessions.md). Events with neither stream_id nor
-- request_id keep a NULL session_key: they belong to no session and are counted
-- in dq_events_without_session.
-- delete key event_id: event grain, before sessions exist; reprocessing a batch
-- rewrites the same events.
{{ config(
    order_by=['event_id'],
    unique_key='event_id',
    meta={'recompute': 'event grain, upstream of the queue: it assigns each new event its session_key and feeds int_affected_sessions'},
) }}
with

traces as (

    select * from {{ ref('stg_livepeer__stream_trace') }}
    where {{ in_new_batches() }}

),

status as (

    select * from {{ ref('stg_livepeer__ai_stream_status') }}
    where {{ in_new_batches() }}

),

stream_events as (

    select * from {{ ref('stg_livepeer__ai_stream_events') }}
    where {{ in_new_batches() }}

),

ingest as (

    select * from {{ ref('stg_livepeer__stream_ingest_metrics') }}
    where {{ in_new_batches() }}

),

unioned as (

    select
        event_id,
        'stream_trace' as event_family,
        gateway,
        stream_id,
        request_id,
        event_ms
    from traces

    union all

    select
        event_id,
        'ai_stream_status' as event_family,
        gateway,
        stream_id,
        request_id,
        event_ms
    from status

    union all

    select
        event_id,
        'ai_stream_events' as event_family,
        gateway,
        stream_id,
        request_id,
        event_ms
    from stream_events

    union all

    select
        event_id,
        'stream_ingest_metrics' as event_family,
        gateway,
        stream_id,
        request_id,
        event_ms
    from ingest
    where track_index <= 1

),

final as (

    select
        event_id,
        event_family,
        {{ session_key('stream_id', 'request_id') }} as session_key,
        stream_id,
        request_id,
        gateway,
        event_ms,
        {{ batch_loaded_ms() }} as loaded_ms
    from unioned

)

select * from final
