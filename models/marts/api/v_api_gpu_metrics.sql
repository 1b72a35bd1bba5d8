-- Hourly GPU performance and reliability. Grain: window_start x
-- orchestrator_address x pipeline x model_id x gpu_id x region.
-- Session counters count each known session once, in the hour it started,
-- under the identity that served its startup; sample counters count each
-- FPS-eligible status sample in its own hour under the identity valid then.
-- Ratios are derived in the row from the additive columns it exposes.
with

sessions as (

    select * from {{ ref('fct_workflow_sessions') }}
    where is_known_session

),

samples as (

    select * from {{ ref('fct_status_samples') }}

),

session_rows as (

    select
        session_start_hour as window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        region,
        0 as status_samples,
        0.0 as output_fps_sum,
        0.0 as output_fps_sumsq,
        {{ typed_null('double') }} as p95_output_fps,
        {{ session_outcome_counts() }},
        coalesce(sum(startup_latency_ms), 0) as startup_latency_ms_sum,
        count(startup_latency_ms) as startup_latency_count,
        coalesce(sum(e2e_latency_ms), 0) as e2e_latency_ms_sum,
        count(e2e_latency_ms) as e2e_latency_count,
        coalesce(sum(prompt_to_playable_latency_ms), 0) as prompt_to_playable_latency_ms_sum,
        count(prompt_to_playable_latency_ms) as prompt_to_playable_latency_count
    from sessions
    group by 1, 2, 3, 4, 5, 6

),

sample_rows as (

    select
        window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        region,
        count(*) as status_samples,
        sum(output_fps) as output_fps_sum,
        sum(output_fps * output_fps) as output_fps_sumsq,
        {{ p95('output_fps') }} as p95_output_fps,
        0 as known_sessions,
        0 as startup_success_sessions,
        0 as excused_sessions,
        0 as unexcused_sessions,
        0 as swapped_sessions,
        0 as startup_latency_ms_sum,
        0 as startup_latency_count,
        0 as e2e_latency_ms_sum,
        0 as e2e_latency_count,
        0 as prompt_to_playable_latency_ms_sum,
        0 as prompt_to_playable_latency_count
    from samples
    group by 1, 2, 3, 4, 5, 6

),

combined as (

    select * from session_rows
    union all
    select * from sample_rows

),

additive as (

    select
        window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        region,
        sum(status_samples) as status_samples,
        sum(output_fps_sum) as output_fps_sum,
        sum(output_fps_sumsq) as output_fps_sumsq,
        max(p95_output_fps) as p95_output_fps,
        sum(known_sessions) as known_sessions,
        sum(startup_success_sessions) as startup_success_sessions,
        sum(excused_sessions) as excused_sessions,
        sum(unexcused_sessions) as unexcused_sessions,
        sum(swapped_sessions) as swapped_sessions,
        sum(startup_latency_ms_sum) as startup_latency_ms_sum,
        sum(startup_latency_count) as startup_latency_count,
        sum(e2e_latency_ms_sum) as e2e_latency_ms_sum,
        sum(e2e_latency_count) as e2e_latency_count,
        sum(prompt_to_playable_latency_ms_sum) as prompt_to_playable_latency_ms_sum,
        sum(prompt_to_playable_latency_count) as prompt_to_playable_latency_count
    from combined
    group by 1, 2, 3, 4, 5, 6

),

final as (

    select
        window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        region,
        cast(status_samples as bigint) as status_samples,
        output_fps_sum,
        output_fps_sumsq,
        cast(known_sessions as bigint) as known_sessions,
        cast(startup_success_sessions as bigint) as startup_success_sessions,
        cast(excused_sessions as bigint) as excused_sessions,
        cast(unexcused_sessions as bigint) as unexcused_sessions,
        cast(swapped_sessions as bigint) as swapped_sessions,
        cast(startup_latency_ms_sum as bigint) as startup_latency_ms_sum,
        cast(startup_latency_count as bigint) as startup_latency_count,
        cast(e2e_latency_ms_sum as bigint) as e2e_latency_ms_sum,
        cast(e2e_latency_count as bigint) as e2e_latency_count,
        cast(prompt_to_playable_latency_ms_sum as bigint) as prompt_to_playable_latency_ms_sum,
        cast(prompt_to_playable_latency_count as bigint) as prompt_to_playable_latency_count,
        {{ metric('avg_output_fps') }} as avg_output_fps,
        p95_output_fps,
        {{ metric('jitter_coeff_fps') }} as jitter_coeff_fps,
        {{ metric('failure_rate') }} as failure_rate,
        {{ metric('swap_rate') }} as swap_rate,
        {{ metric('avg_startup_latency_ms') }} as avg_startup_latency_ms,
        {{ metric('avg_e2e_latency_ms') }} as avg_e2e_latency_ms,
        {{ metric('avg_prompt_to_playable_latency_ms') }} as avg_prompt_to_playable_latency_ms
    from additive

)

select * from final
