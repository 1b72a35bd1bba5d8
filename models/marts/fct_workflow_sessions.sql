-- One row per workflow session (session_key = stream_id|request_id): who
-- served it, how its startup ended, swaps, health, latencies and fees.
-- delete key session_key: every row of each recomputed session is replaced
-- (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key'],
    unique_key='session_key',
) }}
with

sessions as (

    select * from {{ ref('int_sessions') }}
    where {{ in_affected_sessions() }}

),

outcomes as (

    select * from {{ ref('int_session_startup_outcomes') }}
    where {{ in_affected_sessions() }}

),

attribution as (

    select * from {{ ref('int_session_attribution') }}
    where {{ in_affected_sessions() }}

),

swaps as (

    select * from {{ ref('int_session_swaps') }}
    where {{ in_affected_sessions() }}

),

health as (

    select * from {{ ref('int_session_health') }}
    where {{ in_affected_sessions() }}

),

latencies as (

    select * from {{ ref('int_session_latencies') }}
    where {{ in_affected_sessions() }}

),

samples as (

    select * from {{ ref('int_status_samples') }}
    where {{ in_affected_sessions() }}

),

payments as (

    select * from {{ ref('int_payments_linked') }}
    where {{ in_affected_sessions() }}

),

fps as (

    select
        session_key,
        count(*) as status_samples,
        sum(output_fps) as output_fps_sum,
        sum(output_fps * output_fps) as output_fps_sumsq
    from samples
    where is_fps_eligible
    group by 1

),

post_close as (

    select
        session_key,
        count(*) as post_close_status_samples
    from samples
    where is_after_close
    group by 1

),

fees as (

    select
        session_key,
        count(*) as payment_count,
        sum(fee_payment_eth) as fee_payment_eth,
        sum(face_value_eth) as fee_face_value_eth
    from payments
    where session_key is not null
    group by 1

),

first_sessions_of_stream as (

    -- cross-session: right only because every session of a stream is
    -- recomputed together (docs/incremental.md, rule R2)
    select session_key
    from sessions
    where stream_id is not null
    qualify row_number() over (partition by stream_id order by session_start_ms, session_key) = 1

),

final as (

    select
        sessions.session_key as session_key,
        sessions.stream_id as stream_id,
        sessions.request_id as request_id,
        sessions.gateway as gateway,
        sessions.region as region,
        attribution.orchestrator_address as orchestrator_address,
        attribution.gpu_id as gpu_id,
        attribution.model_id as model_id,
        attribution.pipeline as pipeline,
        attribution.attribution_method as attribution_method,
        attribution.attribution_confidence as attribution_confidence,
        attribution.gpu_attribution_method as gpu_attribution_method,
        {{ epoch_ms_to_timestamp('sessions.session_start_ms') }} as session_start_at,
        {{ epoch_ms_to_timestamp('sessions.last_event_ms') }} as session_end_at,
        {{ hour_start(epoch_ms_to_timestamp('sessions.session_start_ms')) }} as session_start_hour,
        (sessions.active_end_ms - sessions.first_event_ms) / 60000.0 as active_minutes,
        sessions.is_span_capped as is_span_capped,
        outcomes.startup_outcome as startup_outcome,
        outcomes.excusal_reason as excusal_reason,
        outcomes.startup_outcome != 'not_in_denominator' as is_known_session,
        outcomes.has_missing_capacity as has_missing_capacity,
        first_sessions_of_stream.session_key is not null as is_first_session_of_stream,
        swaps.confirmed_swap_count as confirmed_swap_count,
        swaps.inferred_orchestrator_change_count as inferred_orchestrator_change_count,
        swaps.is_swapped as is_swapped,
        outcomes.error_count as error_count,
        outcomes.excusable_error_count as excusable_error_count,
        coalesce(fps.status_samples, 0) as status_samples,
        coalesce(post_close.post_close_status_samples, 0) as post_close_status_samples,
        coalesce(fps.output_fps_sum, 0) as output_fps_sum,
        coalesce(fps.output_fps_sumsq, 0) as output_fps_sumsq,
        {{ metric('avg_output_fps', 'v_api_gpu_metrics', 'fps.') }} as avg_output_fps,
        {{ metric('jitter_coeff_fps', 'v_api_gpu_metrics', 'fps.') }} as jitter_coeff_fps,
        health.is_loading_only as is_loading_only,
        health.is_zero_output_fps as is_zero_output_fps,
        health.is_output_failed as is_output_failed,
        health.has_last_error as has_last_error,
        health.health_signal_count as health_signal_count,
        health.health_expected_signal_count as health_expected_signal_count,
        latencies.startup_latency_ms as startup_latency_ms,
        latencies.e2e_latency_ms as e2e_latency_ms,
        latencies.prompt_to_playable_latency_ms as prompt_to_playable_latency_ms,
        coalesce(fees.payment_count, 0) as payment_count,
        coalesce(fees.fee_payment_eth, 0) as fee_payment_eth,
        coalesce(fees.fee_face_value_eth, 0) as fee_face_value_eth
    from sessions
    inner join outcomes on sessions.session_key = outcomes.session_key
    inner join attribution on sessions.session_key = attribution.session_key
    inner join swaps on sessions.session_key = swaps.session_key
    inner join health on sessions.session_key = health.session_key
    inner join latencies on sessions.session_key = latencies.session_key
    left join fps on sessions.session_key = fps.session_key
    left join post_close on sessions.session_key = post_close.session_key
    left join fees on sessions.session_key = fees.session_key
    left join first_sessions_of_stream on sessions.session_key = first_sessions_of_stream.session_key

)

select * from final
