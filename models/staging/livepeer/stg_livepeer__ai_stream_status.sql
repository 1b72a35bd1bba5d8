-- delete key event_id: one row per event; reprocessing a batch rewrites the same events.
{{ config(
    order_by=['event_id'],
    unique_key='event_id',
) }}
with

events as (

    {{ kept_copies('ai_stream_status') }}

),

parsed as (

    select
        event_id,
        gateway,
        envelope_ms,
        {{ text_value('stream_id') }} as stream_id,
        {{ text_value('request_id') }} as request_id,
        {{ text_value('pipeline_id') }} as pipeline_id,
        -- `pipeline` holds a MODEL id despite its name (docs/events.md).
        {{ text_value('pipeline') }} as model_hint,
        upper({{ text_value('state') }}) as state,
        {{ payload_number('inference_fps') }} as output_fps_reported,
        {{ payload_number('input_fps') }} as input_fps_reported,
        {{ text_value('inference_last_error') }} as last_error,
        {{ payload_bigint('inference_restart_count') }} as restart_count,
        {{ text_value('start_time') }} as start_time_text,
        {{ payload_number('start_time') }} as start_time_raw,
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
        stream_id,
        request_id,
        pipeline_id,
        model_hint,
        state,
        -- negative, NaN, infinite or absurd (above max_plausible_fps) readings
        -- are flagged and not counted
        case
            when {{ is_valid_measure('output_fps_reported', var('max_plausible_fps')) }} then output_fps_reported
        end as output_fps,
        case
            when {{ is_valid_measure('input_fps_reported', var('max_plausible_fps')) }} then input_fps_reported
        end as input_fps,
        not coalesce({{ is_valid_measure('output_fps_reported', var('max_plausible_fps')) }}, true)
        or not coalesce({{ is_valid_measure('input_fps_reported', var('max_plausible_fps')) }}, true)
            as has_invalid_fps,
        last_error,
        restart_count,
        -- the prompt start: epoch seconds are converted; an implausible time is dropped and flagged
        case
            when {{ is_plausible_event_ms(epoch_to_ms('start_time_raw')) }} then {{ epoch_to_ms('start_time_raw') }}
        end as start_time_ms,
        {{ has_implausible_time('start_time_text', epoch_to_ms('start_time_raw')) }} as has_implausible_start_time,
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
