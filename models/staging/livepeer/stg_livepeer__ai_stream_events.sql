with

events as (

    select * from {{ ref('stg_livepeer__events') }}
    where event_type = 'ai_stream_events'
        and {{ in_new_batches() }}

),

parsed as (

    select
        event_id,
        gateway,
        envelope_ms,
        lower({{ json_text('payload', 'type') }}) as stream_event_type,
        {{ json_text('payload', 'message') }} as message,
        {{ json_text('payload', 'stream_id') }} as stream_id,
        {{ json_text('payload', 'request_id') }} as request_id,
        {{ json_text('payload', 'pipeline_id') }} as pipeline_id,
        {{ json_text('payload', 'pipeline') }} as model_hint,
        {{ json_text('payload', 'capability') }} as capability,
        lower({{ json_text('payload', 'orchestrator_info.address') }}) as orchestrator_wallet,
        {{ json_text('payload', 'orchestrator_info.url') }} as orchestrator_url,
        {{ json_text('payload', 'timestamp') }} as data_timestamp_raw,
        {{ json_bigint('payload', 'timestamp') }} as data_timestamp_ms
    from events

),

final as (

    select
        event_id,
        gateway,
        stream_event_type,
        message,
        stream_id,
        request_id,
        pipeline_id,
        model_hint,
        capability,
        orchestrator_wallet,
        orchestrator_url,
        data_timestamp_ms,
        envelope_ms,
        -- the payload time when plausible (2020 .. run start + tolerance), else the envelope time
        {{ event_time_ms('data_timestamp_ms', 'envelope_ms') }} as event_ms,
        {{ epoch_ms_to_timestamp(event_time_ms('data_timestamp_ms', 'envelope_ms')) }} as event_at,
        {{ has_implausible_time('data_timestamp_raw', 'data_timestamp_ms') }} as has_implausible_event_time,
        {{ batch_loaded_ms() }} as loaded_ms
    from parsed

)

select * from final
