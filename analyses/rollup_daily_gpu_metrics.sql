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

fps_moments as (

    select
        *,
        output_fps_sum / nullif(status_samples, 0) as fps_mean,
        output_fps_sumsq / nullif(status_samples, 0) as fps_mean_of_squares
    from daily

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
        fps_mean as avg_output_fps,
        -- coefficient of variation: stddev_pop / mean, from the summed moments
        sqrt(greatest(fps_mean_of_squares - fps_mean * fps_mean, 0)) / nullif(fps_mean, 0) as jitter_coeff_fps,
        cast(unexcused_sessions as double) / nullif(known_sessions, 0) as failure_rate,
        cast(swapped_sessions as double) / nullif(known_sessions, 0) as swap_rate,
        cast(startup_latency_ms_sum as double) / nullif(startup_latency_count, 0) as avg_startup_latency_ms,
        cast(e2e_latency_ms_sum as double) / nullif(e2e_latency_count, 0) as avg_e2e_latency_ms,
        cast(prompt_to_playable_latency_ms_sum as double)
        / nullif(prompt_to_playable_latency_count, 0) as avg_prompt_to_playable_latency_ms
    from fps_moments

)

select * from final
