-- The cumulative ingest counters of a session turned into deltas between
-- consecutive readings. Three counter sets, each with its own readings (the
-- samples whose counters of that set are both valid, so a sample with a bad
-- or missing value is skipped, not turned into a gap or a jump):
--   connection  peer-connection BytesReceived and BytesSent
--   video       the video track's packets_received and packets_lost
--   audio       the audio track's packets_received and packets_lost
-- Readings are ordered by time (then by the counters, so readings in the same
-- millisecond never look like a reset). A reading whose counter is lower than
-- the previous reading's (a reconnect: a new peer connection starts from 0)
-- starts a new run: it is the new baseline and yields no delta, never a
-- negative one; so does the first reading of a set. One row per reading;
-- deltas and from_ms are NULL on the first reading of each run.
-- delete key session_key: the deltas of each recomputed session are rebuilt from all of
-- its readings, since a late reading changes its neighbours' deltas (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key', 'counter_set', 'reading_number'],
    unique_key='session_key',
) }}
with

samples as (

    select * from {{ ref('int_ingest_samples') }}
    where {{ in_affected_sessions() }}

),

readings as (

    select
        session_key,
        event_id,
        event_ms,
        'connection' as counter_set,
        bytes_received_cumulative as received_cumulative,
        bytes_sent_cumulative as sent_cumulative,
        cast(null as bigint) as lost_cumulative
    from samples
    where bytes_received_cumulative is not null and bytes_sent_cumulative is not null

    union all

    select
        session_key,
        event_id,
        event_ms,
        'video' as counter_set,
        video_packets_received_cumulative as received_cumulative,
        cast(null as bigint) as sent_cumulative,
        video_packets_lost_cumulative as lost_cumulative
    from samples
    where video_packets_received_cumulative is not null and video_packets_lost_cumulative is not null

    union all

    select
        session_key,
        event_id,
        event_ms,
        'audio' as counter_set,
        audio_packets_received_cumulative as received_cumulative,
        cast(null as bigint) as sent_cumulative,
        audio_packets_lost_cumulative as lost_cumulative
    from samples
    where audio_packets_received_cumulative is not null and audio_packets_lost_cumulative is not null

),

numbered as (

    select
        *,
        cast(row_number() over (
            partition by session_key, counter_set
            order by event_ms, received_cumulative, sent_cumulative, lost_cumulative, event_id
        ) as bigint) as reading_number
    from readings

),

paired as (

    select
        current_reading.session_key as session_key,
        current_reading.counter_set as counter_set,
        current_reading.event_id as event_id,
        current_reading.event_ms as event_ms,
        current_reading.reading_number as reading_number,
        current_reading.received_cumulative as received_cumulative,
        current_reading.sent_cumulative as sent_cumulative,
        current_reading.lost_cumulative as lost_cumulative,
        previous_reading.event_ms as previous_event_ms,
        previous_reading.received_cumulative as previous_received_cumulative,
        previous_reading.sent_cumulative as previous_sent_cumulative,
        previous_reading.lost_cumulative as previous_lost_cumulative
    from numbered as current_reading
    left join numbered as previous_reading
        on
            current_reading.session_key = previous_reading.session_key
            and current_reading.counter_set = previous_reading.counter_set
            and current_reading.reading_number - 1 = previous_reading.reading_number

),

classified as (

    select
        *,
        previous_event_ms is not null
        and (
            received_cumulative < previous_received_cumulative
            or coalesce(sent_cumulative < previous_sent_cumulative, false)
            or coalesce(lost_cumulative < previous_lost_cumulative, false)
        ) as is_counter_reset
    from paired

),

final as (

    select
        session_key,
        counter_set,
        event_id,
        event_ms,
        reading_number,
        previous_event_ms is null or is_counter_reset as is_run_start,
        is_counter_reset,
        case when not is_counter_reset then previous_event_ms end as from_ms,
        event_ms as to_ms,
        case when not is_counter_reset then received_cumulative - previous_received_cumulative end
            as received_delta,
        case when not is_counter_reset then sent_cumulative - previous_sent_cumulative end as sent_delta,
        case when not is_counter_reset then lost_cumulative - previous_lost_cumulative end as lost_delta
    from classified

)

select * from final
