{#-
    The derived ingest-quality columns, recomputed from the additive ones of
    the same row (docs/ingest-quality.md): one definition for the session fact
    and the hourly view. Expects the columns ingest_bytes_received,
    ingest_covered_seconds, {video,audio}_packets_{received,lost},
    {video,audio}_jitter_ms_sum / _samples and conn_quality_{good,bad,other}_samples.
-#}
{% macro ingest_quality_ratios() -%}
    {%- for column in ['ingest_mbps', 'video_packet_loss_pct', 'audio_packet_loss_pct', 'packet_loss_pct',
        'avg_video_jitter_ms', 'avg_audio_jitter_ms', 'conn_quality_good_ratio', 'conn_quality_bad_ratio',
        'conn_quality_other_ratio'] %}
    {{ metric(column, 'v_api_ingest_quality') }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
