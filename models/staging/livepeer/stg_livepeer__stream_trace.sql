with

events as (

    select * from {{ ref('stg_livepeer__events') }}
    where event_type = 'stream_trace'
        and {{ in_new_batches() }}

),

parsed as (

    select
        event_id,
        gateway,
        envelope_ms,
        lower({{ json_text('payload', 'type') }}) as trace_subtype,
        {{ json_text('payload', 'stream_id') }} as stream_id,
        {{ json_text('payload', 'request_id') }} as request_id,
        {{ json_text('payload', 'pipeline_id') }} as pipeline_id,
        {{ json_text('payload', 'pipeline') }} as model_hint,
        {{ json_text('payload', 'message') }} as message,
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
