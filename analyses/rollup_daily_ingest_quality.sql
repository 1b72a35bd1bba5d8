-- Question: how good was the broadcaster -> gateway ingest leg per day and
-- gateway (rate, packet loss, jitter, share of "good" samples)?
--
-- Re-rolls the hourly rows of v_api_ingest_quality to UTC days per gateway and
-- region: the additive columns are summed, then every ratio is recomputed from
-- those sums (never averaged). A ratio whose denominator is 0 is NULL. The
-- rate is per covered second of ingest (docs/ingest-quality.md): it is not a
-- bandwidth per orchestrator or GPU, which play no part in this leg.
--
-- Use: `dbt compile --select analyses/rollup_daily_ingest_quality.sql`, then
-- run the SQL under target/compiled/livepeer/analyses/.
with

ingest_quality as (

    select * from {{ ref('v_api_ingest_quality') }}

),

daily as (

    select
        cast(window_start as date) as metric_date,
        gateway,
        region,
        cast(sum(ingest_samples) as bigint) as ingest_samples,
        sum(ingest_bytes_received) as ingest_bytes_received,
        sum(ingest_covered_seconds) as ingest_covered_seconds,
        sum(video_packets_received) as video_packets_received,
        sum(video_packets_lost) as video_packets_lost,
        sum(audio_packets_received) as audio_packets_received,
        sum(audio_packets_lost) as audio_packets_lost,
        sum(video_jitter_ms_sum) as video_jitter_ms_sum,
        cast(sum(video_jitter_samples) as bigint) as video_jitter_samples,
        cast(sum(conn_quality_good_samples) as bigint) as conn_quality_good_samples,
        cast(sum(conn_quality_bad_samples) as bigint) as conn_quality_bad_samples,
        cast(sum(conn_quality_other_samples) as bigint) as conn_quality_other_samples
    from ingest_quality
    group by 1, 2, 3

),

final as (

    select
        metric_date,
        gateway,
        region,
        ingest_samples,
        ingest_bytes_received,
        ingest_covered_seconds,
        {{ metric('ingest_mbps', 'v_api_ingest_quality') }} as ingest_mbps,
        {{ metric('video_packet_loss_pct', 'v_api_ingest_quality') }} as video_packet_loss_pct,
        {{ metric('packet_loss_pct', 'v_api_ingest_quality') }} as packet_loss_pct,
        {{ metric('avg_video_jitter_ms', 'v_api_ingest_quality') }} as avg_video_jitter_ms,
        {{ metric('conn_quality_good_ratio', 'v_api_ingest_quality') }} as conn_quality_good_ratio
    from daily

)

select * from final
