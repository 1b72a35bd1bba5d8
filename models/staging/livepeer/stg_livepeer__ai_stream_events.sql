-- delete key event_id: one row per event; reprocessing a batch rewrites the same events.
{{ config(
    order_by=['event_id'],
    unique_key='event_id',
) }}
with

events as (

    {{ kept_copies('ai_stream_events') }}

),

parsed as (

    select
        event_id,
        gateway,
        envelope_ms,
        lower({{ text_value('data_type') }}) as stream_event_type,
        {{ text_value('message') }} as message,
        {{ text_value('stream_id') }} as stream_id,
        {{ text_value('request_id') }} as request_id,
        {{ text_value('pipeline_id') }} as pipeline_id,
        {{ text_value('pipeline') }} as model_hint,
        {{ text_value('capability') }} as capability,
        lower({{ text_value('orchestrator_address') }}) as orchestrator_wallet,
        {{ text_value('orchestrator_url') }} as orchestrator_url,
        {{ text_value('data_timestamp') }} as data_timestamp_raw,
        {{ payload_bigint('data_timestamp') }} as data_timestamp_ms
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
