-- Every `ai_stream_events` error with its classification against the
-- error_taxonomy seed (case-insensitive substring). A message matching any
-- excusable pattern is excusable; one matching nothing is `unclassified`.
-- delete key event_id: one row per error event; reprocessing a batch rewrites the same events.
{{ config(
    order_by=['event_id'],
    unique_key='event_id',
    meta={'recompute': 'event grain: the class of an error depends on its own message only; int_session_startup_outcomes re-reads all errors of each recomputed session'},
) }}
with

stream_events as (

    select * from {{ ref('stg_livepeer__ai_stream_events') }}
    where stream_event_type = 'error'
        and {{ in_new_batches() }}

),

error_taxonomy as (

    select * from {{ ref('error_taxonomy') }}

),

matches as (

    select
        stream_events.event_id as event_id,
        error_taxonomy.pattern as pattern,
        error_taxonomy.error_class as error_class,
        error_taxonomy.is_excusable as is_excusable,
        -- excusable matches first, then the most specific (longest) pattern
        row_number() over (
            partition by stream_events.event_id
            order by error_taxonomy.is_excusable desc, length(error_taxonomy.pattern) desc, error_taxonomy.pattern
        ) as match_rank
    from stream_events
    cross join error_taxonomy
    where {{ contains_ci('stream_events.message', 'error_taxonomy.pattern') }}

),

final as (

    select
        stream_events.event_id as event_id,
        {{ session_key('stream_events.stream_id', 'stream_events.request_id') }} as session_key,
        stream_events.message as message,
        stream_events.event_ms as event_ms,
        matches.pattern as matched_pattern,
        coalesce(matches.error_class, 'unclassified') as error_class,
        coalesce(matches.is_excusable, false) as is_excusable,
        matches.pattern is not null as is_classified
    from stream_events
    left join matches
        on stream_events.event_id = matches.event_id
            and matches.match_rank = 1

)

select * from final
