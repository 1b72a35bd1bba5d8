-- Hourly price next to performance, per GPU. Grain: window_start x
-- orchestrator_address x pipeline x model_id x gpu_id. The advertised price
-- (v_api_gpu_supply) beside the GPU's session outcomes and SLA counters
-- (v_api_sla_compliance) and its output FPS (fct_status_samples), each summed
-- over regions: "best value GPUs for a model" is one request of the API over
-- any window. A row exists for a GPU on offer that served nothing and for a
-- GPU that served sessions without being in a snapshot that hour.
with

supply as (

    select * from {{ ref('v_api_gpu_supply') }}

),

sla as (

    select * from {{ ref('v_api_sla_compliance') }}

),

samples as (

    select * from {{ ref('fct_status_samples') }}

),

supply_rows as (

    select
        window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        sum(advertised_gpu_hours) as advertised_gpu_hours,
        sum(price_samples) as price_samples,
        sum(price_wei_per_pixel_sum) as price_wei_per_pixel_sum,
        0 as known_sessions,
        0 as unexcused_sessions,
        0 as swapped_sessions,
        0 as output_failed_sessions,
        0 as health_signal_count,
        0 as health_expected_signal_count,
        0 as status_samples,
        0.0 as output_fps_sum,
        {{ typed_null('double') }} as p95_output_fps
    from supply
    group by 1, 2, 3, 4, 5

),

sla_rows as (

    select
        window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        0 as advertised_gpu_hours,
        0 as price_samples,
        0.0 as price_wei_per_pixel_sum,
        sum(known_sessions) as known_sessions,
        sum(unexcused_sessions) as unexcused_sessions,
        sum(swapped_sessions) as swapped_sessions,
        sum(output_failed_sessions) as output_failed_sessions,
        sum(health_signal_count) as health_signal_count,
        sum(health_expected_signal_count) as health_expected_signal_count,
        0 as status_samples,
        0.0 as output_fps_sum,
        {{ typed_null('double') }} as p95_output_fps
    from sla
    group by 1, 2, 3, 4, 5

),

sample_rows as (

    select
        window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        0 as advertised_gpu_hours,
        0 as price_samples,
        0.0 as price_wei_per_pixel_sum,
        0 as known_sessions,
        0 as unexcused_sessions,
        0 as swapped_sessions,
        0 as output_failed_sessions,
        0 as health_signal_count,
        0 as health_expected_signal_count,
        count(*) as status_samples,
        sum(output_fps) as output_fps_sum,
        {{ p95('output_fps') }} as p95_output_fps
    from samples
    group by 1, 2, 3, 4, 5

),

combined as (

    select * from supply_rows
    union all
    select * from sla_rows
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
        sum(advertised_gpu_hours) as advertised_gpu_hours,
        sum(price_samples) as price_samples,
        sum(price_wei_per_pixel_sum) as price_wei_per_pixel_sum,
        sum(known_sessions) as known_sessions,
        sum(unexcused_sessions) as unexcused_sessions,
        sum(swapped_sessions) as swapped_sessions,
        sum(output_failed_sessions) as output_failed_sessions,
        sum(health_signal_count) as health_signal_count,
        sum(health_expected_signal_count) as health_expected_signal_count,
        sum(status_samples) as status_samples,
        sum(output_fps_sum) as output_fps_sum,
        max(p95_output_fps) as p95_output_fps
    from combined
    group by 1, 2, 3, 4, 5

),

final as (

    select
        window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        cast(advertised_gpu_hours as bigint) as advertised_gpu_hours,
        cast(price_samples as bigint) as price_samples,
        cast(price_wei_per_pixel_sum as double) as price_wei_per_pixel_sum,
        cast(known_sessions as bigint) as known_sessions,
        cast(unexcused_sessions as bigint) as unexcused_sessions,
        cast(swapped_sessions as bigint) as swapped_sessions,
        cast(output_failed_sessions as bigint) as output_failed_sessions,
        cast(health_signal_count as bigint) as health_signal_count,
        cast(health_expected_signal_count as bigint) as health_expected_signal_count,
        cast(status_samples as bigint) as status_samples,
        cast(output_fps_sum as double) as output_fps_sum,
        {{ metric('avg_price_wei_per_pixel') }} as avg_price_wei_per_pixel,
        p95_output_fps,
        {{ metric('avg_output_fps') }} as avg_output_fps,
        {{ metric('success_ratio') }} as success_ratio,
        {{ metric('no_swap_ratio') }} as no_swap_ratio,
        {{ metric('sla_score') }} as sla_score
    from additive

)

select * from final
