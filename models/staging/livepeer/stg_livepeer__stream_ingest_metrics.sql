-- One row per ingest-metrics event x track (video/audio); an event without
-- track stats keeps one row with NULL track columns.
with

events as (

    select * from {{ ref('stg_livepeer__events') }}
    where event_type = 'stream_ingest_metrics'
        and {{ in_new_batches() }}

),

tracks as (

    select
        events.event_id as event_id,
        events.gateway as gateway,
        events.envelope_ms as envelope_ms,
        events.payload as payload,
        track_json,
        track_index
    from events
    {{ json_array_rows(json_value('events.payload', 'stats.track_stats'), 'track_json', 'track_index') }}

),

parsed as (

    select
        event_id,
        coalesce(track_index, 0) as track_index,
        gateway,
        envelope_ms,
        {{ json_text('payload', 'stream_id') }} as stream_id,
        {{ json_text('payload', 'request_id') }} as request_id,
        {{ json_text('payload', 'pipeline_id') }} as pipeline_id,
        {{ json_bigint('payload', 'stats.peer_conn_stats.BytesReceived') }} as bytes_received_reported,
        {{ json_bigint('payload', 'stats.peer_conn_stats.BytesSent') }} as bytes_sent_reported,
        {{ json_text('payload', 'stats.conn_quality') }} as conn_quality,
        {{ json_text('track_json', 'type') }} as track_type,
        {{ json_number('track_json', 'jitter') }} as jitter_reported,
        {{ json_bigint('track_json', 'packets_lost') }} as packets_lost_reported,
        {{ json_bigint('track_json', 'packets_received') }} as packets_received_reported,
        {{ json_number('track_json', 'packet_loss_pct') }} as packet_loss_pct_reported,
        {{ json_number('track_json', 'rtt') }} as rtt_reported,
        -- raw texts, to tell a missing measure from an unreadable one
        {{ json_text('payload', 'stats.peer_conn_stats.BytesReceived') }} as bytes_received_text,
        {{ json_text('payload', 'stats.peer_conn_stats.BytesSent') }} as bytes_sent_text,
        {{ json_text('track_json', 'jitter') }} as jitter_text,
        {{ json_text('track_json', 'packets_lost') }} as packets_lost_text,
        {{ json_text('track_json', 'packets_received') }} as packets_received_text,
        {{ json_text('track_json', 'packet_loss_pct') }} as packet_loss_pct_text,
        {{ json_text('track_json', 'rtt') }} as rtt_text,
        {{ json_text('payload', 'timestamp') }} as data_timestamp_raw,
        {{ json_bigint('payload', 'timestamp') }} as data_timestamp_ms
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
