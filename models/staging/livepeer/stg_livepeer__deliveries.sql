-- The delivery ledger, and the only model that reads the raw events
-- (`livepeer_events_relation`): every delivered line is parsed here ONCE,
-- its envelope and the payload fields the warehouse reads (macro
-- payload_fields) into typed text columns, and kept with a quarantine reason
-- when it cannot become an event (docs/data-quality.md). The payload is
-- accepted as a JSON object/array or as a string holding JSON.
--
-- One row per distinct line of a file (and arrival, for the raw table), keyed
-- by what it holds (its file, arrival and a hash of the line), so re-reading a
-- file rewrites the same rows (idempotent); identical lines within a file are
-- one row counted by `line_count`. Which copy of an id is kept is decided in
-- stg_livepeer__events.
--
-- ClickHouse: short-circuit evaluation is off for this model's statements
-- (query_settings, a dbt-clickhouse config; DuckDB ignores it). With it on,
-- ClickHouse evaluated the payload parse once per CASE that reads a field of
-- it, about 30 times per line (63 s instead of 5 s for a day of events).
-- delete key delivery_key: a re-read line rewrites its own ledger row, so rereads are idempotent.
{{ config(
    order_by=['delivery_key'],
    unique_key='delivery_key',
    pre_hook="{{ livepeer_prepare_raw_lines() }}",
    query_settings={'short_circuit_function_evaluation': 'disable'},
) }}
with

source as (

    select * from {{ livepeer_events_relation() }}

),

renamed as (

    select
        coalesce(source_file, '') as source_file,
        source_file_size,
        source_file_modified_us,
        line_number,
        raw_line,
        load_error,
        arrival_ms,
        line_hash,
        line_count,
        nullif(trim(cast(id as varchar)), '') as event_id,
        lower(trim(cast(type as varchar))) as event_type,
        coalesce(trim(cast(gateway as varchar)), '') as gateway,
        {{ try_cast_as('trim(cast(timestamp as varchar))', 'double') }} as timestamp_value,
        {{ payload_text_of('data') }} as payload_text
    from source
    where {{ raw_events_watermark() }}

),

shaped as (

    select
        *,
        -- object, array, or anything else; NULL when missing
        case left(ltrim(payload_text), 1)
            when '{' then 'object'
            when '[' then 'array'
            else 'other'
        end as payload_shape,
        {{ epoch_to_ms('timestamp_value') }} as envelope_ms
    from renamed

),

parsed as (

    -- the one parse of an object payload into the fields the warehouse reads
    -- (NULL when it is not valid JSON); an array payload is only checked
    select
        *,
        case when payload_shape = 'object' then {{ parse_payload_object('payload_text') }} end as payload
    from shaped

),

checked as (

    select
        *,
        case
            when payload_shape = 'object' then payload is not null
            else coalesce({{ is_json('payload_text') }}, false)
        end as payload_is_json
    from parsed

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
            when not payload_is_json then 'payload_not_json'
            when payload_shape != (
                    case when event_type in ('network_capabilities', 'discovery_results') then 'array' else 'object' end
                ) then 'payload_wrong_shape'
            -- missing, not a finite number, or (once read as ms) before 2020
            when not coalesce({{ is_finite('timestamp_value') }}, false)
                or coalesce(envelope_ms < {{ var('min_event_ms') }}, true)
                then 'bad_timestamp'
            when timestamp_value >= {{ future_timestamp_limit_ms() }} then 'timestamp_in_future'
        end as quarantine_reason,
        -- epoch seconds (below 1e11) are accepted and converted, and flagged
        timestamp_value < {{ var('epoch_seconds_threshold') }} as is_timestamp_in_seconds
    from checked

),

flattened as (

    select
        source_file,
        source_file_size,
        source_file_modified_us,
        line_number,
        -- the raw text is kept for quarantined lines only
        case when quarantine_reason is not null then raw_line end as raw_line,
        line_hash,
        line_count,
        arrival_ms,
        event_id,
        event_type,
        gateway,
        envelope_ms,
        is_timestamp_in_seconds,
        quarantine_reason,
        {%- for column, path, kind in payload_fields() %}
            case when quarantine_reason is null then {{ payload_field('payload', column) }} end as {{ column }},
        {%- endfor %}
        case when quarantine_reason is null and payload_shape = 'array' then payload_text end as payload_entries
    from classified

),

hashed as (

    select
        *,
        -- the event as the warehouse reads it: copies with the same payload
        -- hash and time are identical (a redelivery), otherwise conflicting
        {{ row_hash(['event_type', 'envelope_ms'] + payload_columns() + ['payload_entries']) }} as payload_hash
    from flattened

),

final as (

    select
        -- a row of the raw table is told apart by its arrival too, so a
        -- redelivery arriving later is a delivery of its own
        source_file
        || '|' || coalesce(cast(arrival_ms as varchar) || '|', '')
        || cast(line_hash as varchar) as delivery_key,
        source_file,
        source_file_size,
        source_file_modified_us,
        line_number,
        arrival_ms,
        line_count,
        event_id,
        event_type,
        gateway,
        envelope_ms,
        is_timestamp_in_seconds,
        quarantine_reason,
        raw_line,
        payload_hash,
        {%- for column in payload_columns() %}
            {{ column }},
        {%- endfor %}
        payload_entries,
        {{ batch_loaded_ms() }} as loaded_ms
    from hashed

)

select * from final
