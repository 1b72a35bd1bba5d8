-- Question: how did each GPU perform per UTC day (FPS, jitter, startup
-- failures, swaps, latencies)?
--
-- Re-rolls the hourly rows of v_api_gpu_metrics to days at the same grain
-- (orchestrator_address x pipeline x model_id x gpu_id x region): the additive
-- columns are summed, then every ratio is recomputed from those sums. Never
-- average the hourly ratios. A ratio whose denominator is 0 is NULL.
--
-- p95_output_fps cannot be re-rolled from hourly rows (a percentile of
-- percentiles is not a percentile), so it is left out here. For an exact daily
-- p95, take quantile_cont(output_fps, 0.95) over fct_status_samples grouped by
-- the same day and dimensions.
--
-- Use: `dbt compile --select analyses/rollup_daily_gpu_metrics.sql`, then run
-- the SQL under target/compiled/livepeer/analyses/ (or paste it into a BI tool).
with

gpu_metrics as (

    select * from {{ ref('v_api_gpu_metrics') }}

),

daily as (

    select
        cast(window_start as date) as metric_date,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        region,
        cast(sum(status_samples) as bigint) as status_samples,
        sum(output_fps_sum) as output_fps_sum,
        sum(output_fps_sumsq) as output_fps_sumsq,
        cast(sum(known_sessions) as bigint) as known_sessions,
        cast(sum(startup_success_sessions) as bigint) as startup_success_sessions,
        cast(sum(excused_sessions) as bigint) as excused_sessions,
        cast(sum(unexcused_sessions) as bigint) as unexcused_sessions,
        cast(sum(swapped_sessions) as bigint) as swapped_sessions,
        cast(sum(startup_latency_ms_sum) as bigint) as startup_latency_ms_sum,
        cast(sum(startup_latency_count) as bigint) as startup_latency_count,
        cast(sum(e2e_latency_ms_sum) as bigint) as e2e_latency_ms_sum,
        cast(sum(e2e_latency_count) as bigint) as e2e_latency_count,
        cast(sum(prompt_to_playable_latency_ms_sum) as bigint) as prompt_to_playable_latency_ms_sum,
        cast(sum(prompt_to_playable_latency_count) as bigint) as prompt_to_playable_latency_count
    from gpu_metrics
    group by 1, 2, 3, 4, 5, 6

),

final as (

    select
        metric_date,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        region,
        status_samples,
        output_fps_sum,
        output_fps_sumsq,
        known_sessions,
        startup_success_sessions,
        excused_sessions,
        unexcused_sessions,
        swapped_sessions,
        startup_latency_ms_sum,
        startup_latency_count,
        e2e_latency_ms_sum,
        e2e_latency_count,
        prompt_to_playable_latency_ms_sum,
        prompt_to_playable_latency_count,
        {{ metric('avg_output_fps', 'v_api_gpu_metrics') }} as avg_output_fps,
        {{ metric('jitter_coeff_fps', 'v_api_gpu_metrics') }} as jitter_coeff_fps,
        {{ metric('failure_rate', 'v_api_gpu_metrics') }} as failure_rate,
        {{ metric('swap_rate', 'v_api_gpu_metrics') }} as swap_rate,
        {{ metric('avg_startup_latency_ms', 'v_api_gpu_metrics') }} as avg_startup_latency_ms,
        {{ metric('avg_e2e_latency_ms', 'v_api_gpu_metrics') }} as avg_e2e_latency_ms,
        {{ metric('avg_prompt_to_playable_latency_ms', 'v_api_gpu_metrics') }} as avg_prompt_to_playable_latency_ms
    from daily

)

select * from final
