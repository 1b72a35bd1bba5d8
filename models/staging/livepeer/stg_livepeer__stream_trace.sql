-- delete key event_id: one row per event; reprocessing a batch rewrites the same events.
{{ config(
    order_by=['event_id'],
    unique_key='event_id',
) }}
with

events as (

    {{ kept_copies('stream_trace') }}

),

parsed as (

    select
        event_id,
        gateway,
        envelope_ms,
        lower({{ text_value('data_type') }}) as trace_subtype,
        {{ text_value('stream_id') }} as stream_id,
        {{ text_value('request_id') }} as request_id,
        {{ text_value('pipeline_id') }} as pipeline_id,
        {{ text_value('pipeline') }} as model_hint,
        {{ text_value('message') }} as message,
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
        trace_subtype,
        case
            when {{ starts_with('trace_subtype', 'gateway_') }} then 'gateway'
            when {{ starts_with('trace_subtype', 'orchestrator_') }} then 'orchestrator'
            when {{ starts_with('trace_subtype', 'runner_') }} then 'runner'
            when {{ starts_with('trace_subtype', 'app_') }} then 'app'
            else 'other'
        end as trace_category,
        stream_id,
        request_id,
        pipeline_id,
        model_hint,
        message,
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
