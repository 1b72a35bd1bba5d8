-- One row per delivered line, the only model that reads the raw events
-- (`livepeer_events_relation`): the envelope parsed, the payload normalised to
-- JSON whether `data` was an object/array or a string holding JSON, and a
-- quarantine reason for a line that cannot become an event (README, "Data
-- quality"). Kafka delivers at least once, so an id can occur several times;
-- `copy_index` numbers the copies of an id (or of an id-less line) within one
-- source file and arrival, which makes re-reading the same file (or the same
-- rows of the raw table) idempotent: they rewrite the same rows.
{{ config(pre_hook="{{ livepeer_prepare_raw_lines() }}") }}
with

source as (

    select * from {{ livepeer_events_relation() }}

),

renamed as (

    select
        coalesce(source_file, '') as source_file,
        line_number,
        raw_line,
        load_error,
        arrival_ms,
        nullif(trim(cast(id as varchar)), '') as event_id,
        lower(trim(cast(type as varchar))) as event_type,
        coalesce(trim(cast(gateway as varchar)), '') as gateway,
        {{ try_cast_as('trim(cast(timestamp as varchar))', 'double') }} as timestamp_value,
        {{ json_payload('data') }} as payload
    from source
    where {{ raw_events_watermark() }}

),

classified as (

    select
        *,
        case
            when load_error is not null then load_error
            when event_id is null then 'missing_id'
            when event_type is null or event_type not in (
                    'stream_trace', 'ai_stream_status', 'ai_stream_events', 'stream_ingest_metrics',
                    'network_capabilities', 'discovery_results', 'create_new_payment'
                ) then 'unknown_event_type'
            when payload is null then 'payload_not_json'
            when {{ json_shape('payload') }} != (
                    case when event_type in ('network_capabilities', 'discovery_results') then 'array' else 'object' end
                ) then 'payload_wrong_shape'
            -- missing, not a finite number, or (once read as ms) before 2020
            when not coalesce({{ is_finite('timestamp_value') }}, false)
                or coalesce({{ epoch_to_ms('timestamp_value') }} < {{ var('min_event_ms') }}, true)
                then 'bad_timestamp'
            when timestamp_value >= {{ future_timestamp_limit_ms() }} then 'timestamp_in_future'
        end as quarantine_reason,
        -- epoch seconds (below 1e11) are accepted and converted, and flagged
        {{ epoch_to_ms('timestamp_value') }} as envelope_ms,
        timestamp_value < {{ var('epoch_seconds_threshold') }} as timestamp_was_seconds
    from renamed

),

keyed as (

    -- what makes copies of the same line: its id, else (no id) its text
    select
        *,
        coalesce(event_id, 'line:' || {{ dbt.hash('raw_line') }}) as copy_key
    from classified

),

numbered as (

    select
        *,
        -- numbers the copies; which copy wins is decided in stg_livepeer__events
        row_number() over (
            partition by source_file, arrival_ms, copy_key
            order by envelope_ms
        ) as copy_index
    from keyed

),

final as (

    select
        -- a row of the raw table is told apart by its arrival too, so a
        -- redelivery arriving later is a delivery of its own
        source_file
        || '|' || coalesce(cast(arrival_ms as varchar) || '|', '')
        || copy_key || '|' || cast(copy_index as varchar) as delivery_key,
        source_file,
        line_number,
        arrival_ms,
        copy_index,
        event_id,
        event_type,
        gateway,
        envelope_ms,
        timestamp_was_seconds,
        payload,
        quarantine_reason,
        -- the raw text is kept for quarantined lines only
        case when quarantine_reason is not null then raw_line end as raw_line,
        {{ batch_loaded_ms() }} as loaded_ms
    from numbered

)

select * from final
