with

events as (

    select * from {{ ref('stg_livepeer__events') }}
    where event_type = 'ai_stream_status'
        and {{ in_latest_batch(ref('stg_livepeer__events')) }}

),

parsed as (

    select
        event_id,
        gateway,
        envelope_ms,
        loaded_ms,
        {{ json_text('payload', 'stream_id') }} as stream_id,
        {{ json_text('payload', 'request_id') }} as request_id,
        {{ json_text('payload', 'pipeline_id') }} as pipeline_id,
        -- `pipeline` holds a MODEL id despite its name (contract section 1).
        {{ json_text('payload', 'pipeline') }} as model_hint,
        upper({{ json_text('payload', 'state') }}) as state,
        {{ json_number('payload', 'inference_status.fps') }} as output_fps_reported,
        {{ json_number('payload', 'input_status.fps') }} as input_fps_reported,
        {{ json_text('payload', 'inference_status.last_error') }} as last_error,
        {{ json_bigint('payload', 'inference_status.restart_count') }} as restart_count,
        {{ json_number('payload', 'start_time') }} as start_time_raw,
        lower({{ json_text('payload', 'orchestrator_info.address') }}) as orchestrator_wallet,
        {{ json_text('payload', 'orchestrator_info.url') }} as orchestrator_url,
        {{ json_bigint('payload', 'timestamp') }} as data_timestamp_ms
    from events

),

final as (

    select
        event_id,
        gateway,
        stream_id,
        request_id,
        pipeline_id,
        model_hint,
        state,
        -- negative, NaN or infinite readings are flagged and not counted
        case when {{ is_valid_fps('output_fps_reported') }} then output_fps_reported end as output_fps,
        case when {{ is_valid_fps('input_fps_reported') }} then input_fps_reported end as input_fps,
        output_fps_reported is not null and not {{ is_valid_fps('output_fps_reported') }} as has_invalid_fps,
        last_error,
        restart_count,
        {{ epoch_to_ms('start_time_raw') }} as start_time_ms,
        orchestrator_wallet,
        orchestrator_url,
        data_timestamp_ms,
        envelope_ms,
        coalesce(data_timestamp_ms, envelope_ms) as event_ms,
        {{ epoch_ms_to_timestamp('coalesce(data_timestamp_ms, envelope_ms)') }} as event_at,
        loaded_ms
    from parsed

)

select * from final
