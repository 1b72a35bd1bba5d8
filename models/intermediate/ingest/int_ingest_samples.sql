-- One row per stream_ingest_metrics event of a session: the broadcaster ->
-- gateway WebRTC ingest connection as the gateway saw it at that moment. The
-- cumulative peer-connection byte counters, the first video and the first
-- audio track's cumulative packet counters and jitter, and the connection
-- quality label. Values staging found invalid are already NULL (flag
-- invalid_ingest_value); an event without a track list keeps its byte
-- counters but has no track measures and no quality label (flag
-- missing_ingest_tracks): without tracks the gateway reports "good" by
-- default, not from a measurement. A counter above max_ingest_counter or a
-- jitter above max_plausible_jitter_ms is left out too (flag
-- implausible_ingest_value), so no sum of them can overflow.
-- delete key session_key on an event grain: all rows of each recomputed session are
-- deleted and its samples re-inserted (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key', 'event_id'],
    unique_key='session_key',
) }}
with

ingest as (

    select * from {{ ref('stg_livepeer__stream_ingest_metrics') }}
    where {{ in_affected_sessions(session_key('stream_id', 'request_id')) }}

),

keyed as (

    select
        event_id,
        track_index,
        event_ms,
        {{ session_key('stream_id', 'request_id') }} as session_key,
        lower(track_type) as track_kind,
        conn_quality,
        case
            when bytes_received_cumulative <= {{ var('max_ingest_counter') }} then bytes_received_cumulative
        end as bytes_received_cumulative,
        case when bytes_sent_cumulative <= {{ var('max_ingest_counter') }} then bytes_sent_cumulative end
            as bytes_sent_cumulative,
        case when track_jitter <= {{ var('max_plausible_jitter_ms') }} then track_jitter end as track_jitter,
        case
            when track_packets_received <= {{ var('max_ingest_counter') }} then track_packets_received
        end as track_packets_received,
        case when track_packets_lost <= {{ var('max_ingest_counter') }} then track_packets_lost end
            as track_packets_lost
    from ingest

),

sessioned as (

    select * from keyed
    where session_key is not null

),

first_tracks as (

    -- the first track of each kind in an event (a second video track is ignored)
    select
        event_id,
        track_kind,
        track_jitter,
        track_packets_received,
        track_packets_lost
    from sessioned
    where track_kind in ('video', 'audio')
    qualify row_number() over (partition by event_id, track_kind order by track_index) = 1

),

video_tracks as (

    select * from first_tracks
    where track_kind = 'video'

),

audio_tracks as (

    select * from first_tracks
    where track_kind = 'audio'

),

events as (

    -- event-level fields are repeated on every track row of the event
    select
        session_key,
        event_id,
        min(event_ms) as event_ms,
        max(bytes_received_cumulative) as bytes_received_cumulative,
        max(bytes_sent_cumulative) as bytes_sent_cumulative,
        max(conn_quality) as conn_quality,
        min(track_index) > 0 as has_track_stats
    from sessioned
    group by session_key, event_id

),

final as (

    select
        events.session_key as session_key,
        events.event_id as event_id,
        events.event_ms as event_ms,
        {{ epoch_ms_to_timestamp('events.event_ms') }} as event_at,
        events.bytes_received_cumulative as bytes_received_cumulative,
        events.bytes_sent_cumulative as bytes_sent_cumulative,
        events.has_track_stats as has_track_stats,
        case
            when not events.has_track_stats then null
            when lower(trim(events.conn_quality)) in ('good', 'bad') then lower(trim(events.conn_quality))
            else 'other'
        end as conn_quality_label,
        video_tracks.track_jitter as video_jitter_ms,
        video_tracks.track_packets_received as video_packets_received_cumulative,
        video_tracks.track_packets_lost as video_packets_lost_cumulative,
        audio_tracks.track_jitter as audio_jitter_ms,
        audio_tracks.track_packets_received as audio_packets_received_cumulative,
        audio_tracks.track_packets_lost as audio_packets_lost_cumulative
    from events
    left join video_tracks on events.event_id = video_tracks.event_id
    left join audio_tracks on events.event_id = audio_tracks.event_id

)

select * from final
