-- Question: how much demand did the network see per ISO week (streams,
-- sessions, inference minutes, fees) per gateway, region, pipeline and model,
-- and how well did those sessions start?
--
-- Re-rolls the hourly rows of v_api_network_demand to ISO weeks (week_start is
-- the Monday, UTC): the additive columns are summed, then avg_output_fps and
-- success_ratio are recomputed from those sums (never averaged). A ratio whose
-- denominator is 0 is NULL. total_streams is exact when summed: a stream is
-- counted once, in the hour its first session started.
--
-- Use: `dbt compile --select analyses/rollup_weekly_network_demand.sql`, then
-- run the SQL under target/compiled/livepeer/analyses/.
with

network_demand as (

    select * from {{ ref('v_api_network_demand') }}

),

weekly as (

    select
        cast(date_trunc('week', window_start) as date) as week_start,
        gateway,
        region,
        pipeline,
        model_id,
        cast(sum(total_streams) as bigint) as total_streams,
        cast(sum(total_sessions) as bigint) as total_sessions,
        sum(total_inference_minutes) as total_inference_minutes,
        cast(sum(known_sessions) as bigint) as known_sessions,
        cast(sum(startup_success_sessions) as bigint) as startup_success_sessions,
        cast(sum(excused_sessions) as bigint) as excused_sessions,
        cast(sum(unexcused_sessions) as bigint) as unexcused_sessions,
        cast(sum(swapped_sessions) as bigint) as swapped_sessions,
        cast(sum(missing_capacity_count) as bigint) as missing_capacity_count,
        sum(fee_payment_eth) as fee_payment_eth,
        sum(fee_face_value_eth) as fee_face_value_eth,
        cast(sum(status_samples) as bigint) as status_samples,
        sum(output_fps_sum) as output_fps_sum
    from network_demand
    group by 1, 2, 3, 4, 5

),

final as (

    select
        week_start,
        gateway,
        region,
        pipeline,
        model_id,
        total_streams,
        total_sessions,
        total_inference_minutes,
        known_sessions,
        startup_success_sessions,
        excused_sessions,
        unexcused_sessions,
        swapped_sessions,
        missing_capacity_count,
        fee_payment_eth,
        fee_face_value_eth,
        status_samples,
        output_fps_sum,
        {{ metric('avg_output_fps', 'v_api_network_demand') }} as avg_output_fps,
        {{ metric('success_ratio', 'v_api_network_demand') }} as success_ratio,
        {{ metric('swap_rate', 'v_api_gpu_metrics') }} as swap_rate
    from weekly

)

select * from final
