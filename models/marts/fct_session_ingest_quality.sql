-- One row per session with at least one stream_ingest_metrics event: the
-- quality of its ingest leg (broadcaster -> gateway WebRTC connection) over
-- the whole session. Byte and packet totals are the sums of the deltas
-- between consecutive readings of each run (int_ingest_deltas): bytes before
-- the first reading of a run are not counted, since the time they took is
-- unknown. Ratios are derived from the additive columns beside them, and are
-- NULL when their denominator is 0 (a session with one reading has no rate).
-- Byte and packet sums are doubles (exact up to 2^53, the largest counter
-- int_ingest_samples accepts), so no sum over many runs can overflow.
-- delete key session_key: every row of each recomputed session is replaced
-- (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key'],
    unique_key='session_key',
) }}
with

samples as (

    select * from {{ ref('int_ingest_samples') }}
    where {{ in_affected_sessions() }}

),

deltas as (

    select * from {{ ref('int_ingest_deltas') }}
    where {{ in_affected_sessions() }}

),

sample_totals as (

    select
        session_key,
        min(event_ms) as first_sample_ms,
        max(event_ms) as last_sample_ms,
        count(*) as ingest_samples,
        count(case when not has_track_stats then 1 end) as samples_without_tracks,
        count(case when conn_quality_label = 'good' then 1 end) as conn_quality_good_samples,
        count(case when conn_quality_label = 'bad' then 1 end) as conn_quality_bad_samples,
        count(case when conn_quality_label = 'other' then 1 end) as conn_quality_other_samples,
        sum(video_jitter_ms) as video_jitter_ms_sum,
        count(video_jitter_ms) as video_jitter_samples,
        sum(audio_jitter_ms) as audio_jitter_ms_sum,
        count(audio_jitter_ms) as audio_jitter_samples
    from samples
    group by session_key

),

delta_totals as (

    select
        session_key,
        sum(case when counter_set = 'connection' then cast(received_delta as double) end) as ingest_bytes_received,
        sum(case when counter_set = 'connection' then cast(sent_delta as double) end) as ingest_bytes_sent,
        sum(case when counter_set = 'connection' then to_ms - from_ms end) / 1000.0 as ingest_covered_seconds,
        count(case when counter_set = 'connection' and is_run_start then 1 end) as ingest_connection_runs,
        count(case when is_counter_reset then 1 end) as ingest_counter_resets,
        sum(case when counter_set = 'video' then cast(received_delta as double) end) as video_packets_received,
        sum(case when counter_set = 'video' then cast(lost_delta as double) end) as video_packets_lost,
        sum(case when counter_set = 'audio' then cast(received_delta as double) end) as audio_packets_received,
        sum(case when counter_set = 'audio' then cast(lost_delta as double) end) as audio_packets_lost
    from deltas
    group by session_key

),

totals as (

    select
        sample_totals.session_key as session_key,
        sample_totals.first_sample_ms as first_sample_ms,
        sample_totals.last_sample_ms as last_sample_ms,
        cast(sample_totals.ingest_samples as bigint) as ingest_samples,
        cast(sample_totals.samples_without_tracks as bigint) as samples_without_tracks,
        cast(coalesce(delta_totals.ingest_connection_runs, 0) as bigint) as ingest_connection_runs,
        cast(coalesce(delta_totals.ingest_counter_resets, 0) as bigint) as ingest_counter_resets,
        cast(coalesce(delta_totals.ingest_bytes_received, 0) as double) as ingest_bytes_received,
        cast(coalesce(delta_totals.ingest_bytes_sent, 0) as double) as ingest_bytes_sent,
        cast(coalesce(delta_totals.ingest_covered_seconds, 0) as double) as ingest_covered_seconds,
        cast(coalesce(delta_totals.video_packets_received, 0) as double) as video_packets_received,
        cast(coalesce(delta_totals.video_packets_lost, 0) as double) as video_packets_lost,
        cast(coalesce(delta_totals.audio_packets_received, 0) as double) as audio_packets_received,
        cast(coalesce(delta_totals.audio_packets_lost, 0) as double) as audio_packets_lost,
        cast(coalesce(sample_totals.video_jitter_ms_sum, 0) as double) as video_jitter_ms_sum,
        cast(sample_totals.video_jitter_samples as bigint) as video_jitter_samples,
        cast(coalesce(sample_totals.audio_jitter_ms_sum, 0) as double) as audio_jitter_ms_sum,
        cast(sample_totals.audio_jitter_samples as bigint) as audio_jitter_samples,
        cast(sample_totals.conn_quality_good_samples as bigint) as conn_quality_good_samples,
        cast(sample_totals.conn_quality_bad_samples as bigint) as conn_quality_bad_samples,
        cast(sample_totals.conn_quality_other_samples as bigint) as conn_quality_other_samples
    from sample_totals
    left join delta_totals on sample_totals.session_key = delta_totals.session_key

),

final as (

    select
        session_key,
        {{ epoch_ms_to_timestamp('first_sample_ms') }} as first_ingest_sample_at,
        {{ epoch_ms_to_timestamp('last_sample_ms') }} as last_ingest_sample_at,
        ingest_samples,
        samples_without_tracks,
        ingest_connection_runs,
        ingest_counter_resets,
        ingest_bytes_received,
        ingest_bytes_sent,
        ingest_covered_seconds,
        video_packets_received,
        video_packets_lost,
        audio_packets_received,
        audio_packets_lost,
        video_jitter_ms_sum,
        video_jitter_samples,
        audio_jitter_ms_sum,
        audio_jitter_samples,
        conn_quality_good_samples,
        conn_quality_bad_samples,
        conn_quality_other_samples,
        conn_quality_good_samples + conn_quality_bad_samples + conn_quality_other_samples as conn_quality_samples,
        {{ ingest_quality_ratios() }}
    from totals

)

select * from final
