-- A session's ingest measures per UTC hour, additive, for the hourly view
-- (v_api_ingest_quality). A delta (bytes or packets between two consecutive
-- readings of a run, int_ingest_deltas) is split across the hours its
-- interval overlaps in proportion to the time in each hour, the way a
-- session's active minutes are (int_session_hours): bytes count in the hour
-- they were received, and the hours add up exactly to the session's totals
-- (fct_session_ingest_quality). The covered seconds are the overlap itself.
-- Point readings (jitter, the quality label) count in their sample's hour.
-- Grain: one row per session_key x window_start with any ingest measure.
-- delete key session_key on a session x hour grain: all hours of each recomputed session
-- are replaced (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key', 'window_start'],
    unique_key='session_key',
) }}
with

deltas as (

    select * from {{ ref('int_ingest_deltas') }}
    where {{ in_affected_sessions() }} and not is_run_start

),

samples as (

    select * from {{ ref('int_ingest_samples') }}
    where {{ in_affected_sessions() }}

),

sample_hours as (

    select
        *,
        {{ hour_floor_ms('event_ms') }} as hour_ms
    from samples

),

delta_hours as (

    select
        deltas.session_key as session_key,
        deltas.counter_set as counter_set,
        deltas.from_ms as from_ms,
        deltas.to_ms as to_ms,
        deltas.received_delta as received_delta,
        deltas.sent_delta as sent_delta,
        deltas.lost_delta as lost_delta,
        hour_ms
    from deltas
    {{ hour_rows('deltas.from_ms', 'deltas.to_ms', 'hour_ms') }}

),

delta_overlaps as (

    select
        *,
        least(to_ms, hour_ms + 3600000) - greatest(from_ms, hour_ms) as overlap_ms
    from delta_hours

),

delta_shares as (

    select
        *,
        -- a zero-length interval (two readings in the same ms) lies in one hour
        case
            when to_ms > from_ms then cast(overlap_ms as double) / cast(to_ms - from_ms as double)
            else 1.0
        end as hour_share
    from delta_overlaps

),

delta_rows as (

    select
        session_key,
        hour_ms,
        0 as ingest_samples,
        0 as conn_quality_good_samples,
        0 as conn_quality_bad_samples,
        0 as conn_quality_other_samples,
        sum(case when counter_set = 'connection' then received_delta * hour_share else 0 end)
            as ingest_bytes_received,
        sum(case when counter_set = 'connection' then sent_delta * hour_share else 0 end) as ingest_bytes_sent,
        sum(case when counter_set = 'connection' then overlap_ms else 0 end) / 1000.0 as ingest_covered_seconds,
        sum(case when counter_set = 'video' then received_delta * hour_share else 0 end) as video_packets_received,
        sum(case when counter_set = 'video' then lost_delta * hour_share else 0 end) as video_packets_lost,
        sum(case when counter_set = 'audio' then received_delta * hour_share else 0 end) as audio_packets_received,
        sum(case when counter_set = 'audio' then lost_delta * hour_share else 0 end) as audio_packets_lost,
        0.0 as video_jitter_ms_sum,
        0 as video_jitter_samples,
        0.0 as audio_jitter_ms_sum,
        0 as audio_jitter_samples
    from delta_shares
    group by session_key, hour_ms

),

sample_rows as (

    select
        session_key,
        hour_ms,
        count(*) as ingest_samples,
        count(case when conn_quality_label = 'good' then 1 end) as conn_quality_good_samples,
        count(case when conn_quality_label = 'bad' then 1 end) as conn_quality_bad_samples,
        count(case when conn_quality_label = 'other' then 1 end) as conn_quality_other_samples,
        0.0 as ingest_bytes_received,
        0.0 as ingest_bytes_sent,
        0.0 as ingest_covered_seconds,
        0.0 as video_packets_received,
        0.0 as video_packets_lost,
        0.0 as audio_packets_received,
        0.0 as audio_packets_lost,
        coalesce(sum(video_jitter_ms), 0) as video_jitter_ms_sum,
        count(video_jitter_ms) as video_jitter_samples,
        coalesce(sum(audio_jitter_ms), 0) as audio_jitter_ms_sum,
        count(audio_jitter_ms) as audio_jitter_samples
    from sample_hours
    group by session_key, hour_ms

),

combined as (

    select * from delta_rows
    union all
    select * from sample_rows

),

final as (

    select
        session_key,
        {{ epoch_ms_to_timestamp('hour_ms') }} as window_start,
        cast(sum(ingest_samples) as bigint) as ingest_samples,
        cast(sum(conn_quality_good_samples) as bigint) as conn_quality_good_samples,
        cast(sum(conn_quality_bad_samples) as bigint) as conn_quality_bad_samples,
        cast(sum(conn_quality_other_samples) as bigint) as conn_quality_other_samples,
        cast(sum(ingest_bytes_received) as double) as ingest_bytes_received,
        cast(sum(ingest_bytes_sent) as double) as ingest_bytes_sent,
        cast(sum(ingest_covered_seconds) as double) as ingest_covered_seconds,
        cast(sum(video_packets_received) as double) as video_packets_received,
        cast(sum(video_packets_lost) as double) as video_packets_lost,
        cast(sum(audio_packets_received) as double) as audio_packets_received,
        cast(sum(audio_packets_lost) as double) as audio_packets_lost,
        cast(sum(video_jitter_ms_sum) as double) as video_jitter_ms_sum,
        cast(sum(video_jitter_samples) as bigint) as video_jitter_samples,
        cast(sum(audio_jitter_ms_sum) as double) as audio_jitter_ms_sum,
        cast(sum(audio_jitter_samples) as bigint) as audio_jitter_samples
    from combined
    group by session_key, hour_ms

)

select * from final
