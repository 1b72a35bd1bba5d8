{#-
    The derived ingest-quality columns, recomputed from the additive ones of
    the same row (docs/ingest-quality.md): one definition for the session fact
    and the hourly view. Expects the columns ingest_bytes_received,
    ingest_covered_seconds, {video,audio}_packets_{received,lost},
    {video,audio}_jitter_ms_sum / _samples and conn_quality_{good,bad,other}_samples.
-#}
{% macro ingest_quality_ratios() -%}
    {%- set labelled = 'conn_quality_good_samples + conn_quality_bad_samples + conn_quality_other_samples' -%}
    {{ safe_ratio('ingest_bytes_received * 8', 'ingest_covered_seconds * 1000000') }} as ingest_mbps,
    100 * {{ safe_ratio('video_packets_lost', 'video_packets_lost + video_packets_received') }}
        as video_packet_loss_pct,
    100 * {{ safe_ratio('audio_packets_lost', 'audio_packets_lost + audio_packets_received') }}
        as audio_packet_loss_pct,
    100 * {{ safe_ratio(
        'video_packets_lost + audio_packets_lost',
        'video_packets_lost + audio_packets_lost + video_packets_received + audio_packets_received'
    ) }} as packet_loss_pct,
    {{ safe_ratio('video_jitter_ms_sum', 'video_jitter_samples') }} as avg_video_jitter_ms,
    {{ safe_ratio('audio_jitter_ms_sum', 'audio_jitter_samples') }} as avg_audio_jitter_ms,
    {{ safe_ratio('conn_quality_good_samples', labelled) }} as conn_quality_good_ratio,
    {{ safe_ratio('conn_quality_bad_samples', labelled) }} as conn_quality_bad_ratio,
    {{ safe_ratio('conn_quality_other_samples', labelled) }} as conn_quality_other_ratio
{%- endmacro %}
