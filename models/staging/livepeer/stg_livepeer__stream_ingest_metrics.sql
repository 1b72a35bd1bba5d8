-- One row per ingest-metrics event x track (video/audio); an event without
-- track stats keeps one row with NULL track columns.
-- delete key event_id: a re-staged ingest event replaces its track rows.
{{ config(
    order_by=['event_id', 'track_index'],
    unique_key='event_id',
) }}
{%- set track_fields = {
    'type': 'type',
    'jitter': 'jitter',
    'packets_lost': 'packets_lost',
    'packets_received': 'packets_received',
    'packet_loss_pct': 'packet_loss_pct',
    'rtt': 'rtt',
} %}
with

events as (

    {{ kept_copies('stream_ingest_metrics') }}

),

tracks as (

    {{ unnest_json_array('events', 'events.track_stats', 'track', 'track_index', track_fields) }}

),

parsed as (

    select
        event_id,
        coalesce(track_index, 0) as track_index,
        gateway,
        envelope_ms,
        {{ text_value('stream_id') }} as stream_id,
        {{ text_value('request_id') }} as request_id,
        {{ text_value('pipeline_id') }} as pipeline_id,
        {{ payload_bigint('bytes_received') }} as bytes_received_reported,
        {{ payload_bigint('bytes_sent') }} as bytes_sent_reported,
        {{ text_value('conn_quality') }} as conn_quality,
        {{ text_value(element_field('track', track_fields, 'type')) }} as track_type,
        {{ payload_number(element_field('track', track_fields, 'jitter')) }} as jitter_reported,
        {{ payload_bigint(element_field('track', track_fields, 'packets_lost')) }} as packets_lost_reported,
        {{ payload_bigint(element_field('track', track_fields, 'packets_received')) }} as packets_received_reported,
        {{ payload_number(element_field('track', track_fields, 'packet_loss_pct')) }} as packet_loss_pct_reported,
        {{ payload_number(element_field('track', track_fields, 'rtt')) }} as rtt_reported,
        -- raw texts, to tell a missing measure from an unreadable one
        {{ text_value('bytes_received') }} as bytes_received_text,
        {{ text_value('bytes_sent') }} as bytes_sent_text,
        {{ text_value(element_field('track', track_fields, 'jitter')) }} as jitter_text,
        {{ text_value(element_field('track', track_fields, 'packets_lost')) }} as packets_lost_text,
        {{ text_value(element_field('track', track_fields, 'packets_received')) }} as packets_received_text,
        {{ text_value(element_field('track', track_fields, 'packet_loss_pct')) }} as packet_loss_pct_text,
        {{ text_value(element_field('track', track_fields, 'rtt')) }} as rtt_text,
        {{ text_value('data_timestamp') }} as data_timestamp_raw,
        {{ payload_bigint('data_timestamp') }} as data_timestamp_ms
    from tracks

),

final as (

    select
        event_id,
        track_index,
        gateway,
        stream_id,
        request_id,
        pipeline_id,
        -- counters and measures must be finite and non-negative: anything else
        -- (a negative, NaN or non-numeric value) is NULL here and flagged
        case when bytes_received_reported >= 0 then bytes_received_reported end as bytes_received_cumulative,
        case when bytes_sent_reported >= 0 then bytes_sent_reported end as bytes_sent_cumulative,
        conn_quality,
        track_type,
        case when {{ is_valid_measure('jitter_reported') }} then jitter_reported end as track_jitter,
        case when packets_lost_reported >= 0 then packets_lost_reported end as track_packets_lost,
        case when packets_received_reported >= 0 then packets_received_reported end as track_packets_received,
        case when {{ is_valid_measure('packet_loss_pct_reported') }} then packet_loss_pct_reported end
            as track_packet_loss_pct,
        case when {{ is_valid_measure('rtt_reported') }} then rtt_reported end as track_rtt,
        (bytes_received_text is not null and not coalesce(bytes_received_reported >= 0, false))
        or (bytes_sent_text is not null and not coalesce(bytes_sent_reported >= 0, false))
        or (packets_lost_text is not null and not coalesce(packets_lost_reported >= 0, false))
        or (packets_received_text is not null and not coalesce(packets_received_reported >= 0, false))
        or (jitter_text is not null and not coalesce({{ is_valid_measure('jitter_reported') }}, false))
        or (
            packet_loss_pct_text is not null
            and not coalesce({{ is_valid_measure('packet_loss_pct_reported') }}, false)
        )
        or (rtt_text is not null and not coalesce({{ is_valid_measure('rtt_reported') }}, false))
            as has_invalid_ingest_value,
        data_timestamp_ms,
        envelope_ms,
        {{ event_time_ms('data_timestamp_ms', 'envelope_ms') }} as event_ms,
        {{ epoch_ms_to_timestamp(event_time_ms('data_timestamp_ms', 'envelope_ms')) }} as event_at,
        {{ has_implausible_time('data_timestamp_raw', 'data_timestamp_ms') }} as has_implausible_event_time,
        {{ batch_loaded_ms() }} as loaded_ms
    from parsed

)

select * from final
