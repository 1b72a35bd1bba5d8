-- Hourly ingest quality: the broadcaster -> gateway WebRTC leg of every
-- stream, as the gateway measures it (stream_ingest_metrics). Grain:
-- window_start x gateway x region x pipeline x model_id, the grain of
-- v_api_network_demand (a session's dimensions as in fct_workflow_sessions).
-- Bytes, packets and covered seconds count in the hour they were received
-- (each delta between two readings split across the hours its interval
-- overlaps, int_ingest_hours); samples, jitter and quality labels count in
-- their sample's hour. Derived columns are recomputed from the additive ones
-- in the same row. No orchestrator or GPU dimension: the orchestrator plays
-- no part in this leg.
with

session_hours as (

    select * from {{ ref('int_ingest_hours') }}

),

sessions as (

    select * from {{ ref('fct_workflow_sessions') }}

),

additive as (

    select
        session_hours.window_start as window_start,
        sessions.gateway as gateway,
        sessions.region as region,
        sessions.pipeline as pipeline,
        sessions.model_id as model_id,
        sum(session_hours.ingest_samples) as ingest_samples,
        sum(session_hours.ingest_bytes_received) as ingest_bytes_received,
        sum(session_hours.ingest_bytes_sent) as ingest_bytes_sent,
        sum(session_hours.ingest_covered_seconds) as ingest_covered_seconds,
        sum(session_hours.video_packets_received) as video_packets_received,
        sum(session_hours.video_packets_lost) as video_packets_lost,
        sum(session_hours.audio_packets_received) as audio_packets_received,
        sum(session_hours.audio_packets_lost) as audio_packets_lost,
        sum(session_hours.video_jitter_ms_sum) as video_jitter_ms_sum,
        sum(session_hours.video_jitter_samples) as video_jitter_samples,
        sum(session_hours.audio_jitter_ms_sum) as audio_jitter_ms_sum,
        sum(session_hours.audio_jitter_samples) as audio_jitter_samples,
        sum(session_hours.conn_quality_good_samples) as conn_quality_good_samples,
        sum(session_hours.conn_quality_bad_samples) as conn_quality_bad_samples,
        sum(session_hours.conn_quality_other_samples) as conn_quality_other_samples
    from session_hours
    inner join sessions on session_hours.session_key = sessions.session_key
    group by 1, 2, 3, 4, 5

),

final as (

    select
        window_start,
        gateway,
        region,
        pipeline,
        model_id,
        cast(ingest_samples as bigint) as ingest_samples,
        ingest_bytes_received,
        ingest_bytes_sent,
        ingest_covered_seconds,
        video_packets_received,
        video_packets_lost,
        audio_packets_received,
        audio_packets_lost,
        video_jitter_ms_sum,
        cast(video_jitter_samples as bigint) as video_jitter_samples,
        audio_jitter_ms_sum,
        cast(audio_jitter_samples as bigint) as audio_jitter_samples,
        cast(conn_quality_good_samples as bigint) as conn_quality_good_samples,
        cast(conn_quality_bad_samples as bigint) as conn_quality_bad_samples,
        cast(conn_quality_other_samples as bigint) as conn_quality_other_samples,
        {{ ingest_quality_ratios() }}
    from additive

)

select * from final
