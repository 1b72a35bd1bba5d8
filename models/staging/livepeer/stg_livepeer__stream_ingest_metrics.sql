-- One row per ingest-metrics event x track (video/audio); an event without
-- track stats keeps one row with NULL track columns.
with

events as (

    select * from {{ ref('stg_livepeer__events') }}
    where event_type = 'stream_ingest_metrics'
        and {{ in_latest_batch(ref('stg_livepeer__events')) }}

),

tracks as (

    select
        events.event_id as event_id,
        events.gateway as gateway,
        events.envelope_ms as envelope_ms,
        events.loaded_ms as loaded_ms,
        events.payload as payload,
        track_json,
        track_index
    from events
    {{ json_array_rows(json_value('events.payload', 'stats.track_stats'), 'track_json', 'track_index') }}

),

final as (

    select
        event_id,
        coalesce(track_index, 0) as track_index,
        gateway,
        {{ json_text('payload', 'stream_id') }} as stream_id,
        {{ json_text('payload', 'request_id') }} as request_id,
        {{ json_text('payload', 'pipeline_id') }} as pipeline_id,
        {{ json_bigint('payload', 'stats.peer_conn_stats.BytesReceived') }} as bytes_received_cumulative,
        {{ json_bigint('payload', 'stats.peer_conn_stats.BytesSent') }} as bytes_sent_cumulative,
        {{ json_text('payload', 'stats.conn_quality') }} as conn_quality,
        {{ json_text('track_json', 'type') }} as track_type,
        {{ json_number('track_json', 'jitter') }} as track_jitter,
        {{ json_bigint('track_json', 'packets_lost') }} as track_packets_lost,
        {{ json_bigint('track_json', 'packets_received') }} as track_packets_received,
        {{ json_number('track_json', 'packet_loss_pct') }} as track_packet_loss_pct,
        {{ json_number('track_json', 'rtt') }} as track_rtt,
        {{ json_bigint('payload', 'timestamp') }} as data_timestamp_ms,
        envelope_ms,
        coalesce({{ json_bigint('payload', 'timestamp') }}, envelope_ms) as event_ms,
        {{ epoch_ms_to_timestamp('coalesce(' ~ json_bigint('payload', 'timestamp') ~ ', envelope_ms)') }} as event_at,
        loaded_ms
    from tracks

)

select * from final
