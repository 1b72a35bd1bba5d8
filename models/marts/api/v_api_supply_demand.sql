-- Hourly supply next to demand, per model. Grain: window_start x model_id
-- (no pipeline: a model belongs to one pipeline, and the sessions attribution
-- could not resolve have a model from their events but pipeline '', which
-- would split a model's demand from its supply). Supply: the GPUs advertising the model that hour, their capacity,
-- capacity in use and price (from v_api_gpu_supply, over every orchestrator
-- and GPU); demand: sessions, inference minutes and sessions the network had
-- no capacity for (from v_api_network_demand, over every gateway and region).
-- A row exists for supply without demand and for demand without supply.
-- No region: capability snapshots carry no gateway, so supply has no region.
with

supply as (

    select * from {{ ref('v_api_gpu_supply') }}

),

demand as (

    select * from {{ ref('v_api_network_demand') }}

),

supply_rows as (

    select
        window_start,
        model_id,
        sum(advertised_gpu_hours) as advertised_gpu_hours,
        count(distinct orchestrator_address) as advertising_orchestrator_hours,
        sum(capacity_samples) as capacity_samples,
        sum(capacity_slots_sum) as capacity_slots_sum,
        sum(capacity_in_use_samples) as capacity_in_use_samples,
        sum(capacity_in_use_slots_sum) as capacity_in_use_slots_sum,
        sum(price_samples) as price_samples,
        sum(price_wei_per_pixel_sum) as price_wei_per_pixel_sum,
        0 as total_sessions,
        0.0 as total_inference_minutes,
        0 as known_sessions,
        0 as unexcused_sessions,
        0 as missing_capacity_count
    from supply
    group by 1, 2

),

demand_rows as (

    select
        window_start,
        model_id,
        0 as advertised_gpu_hours,
        0 as advertising_orchestrator_hours,
        0 as capacity_samples,
        0.0 as capacity_slots_sum,
        0 as capacity_in_use_samples,
        0.0 as capacity_in_use_slots_sum,
        0 as price_samples,
        0.0 as price_wei_per_pixel_sum,
        sum(total_sessions) as total_sessions,
        sum(total_inference_minutes) as total_inference_minutes,
        sum(known_sessions) as known_sessions,
        sum(unexcused_sessions) as unexcused_sessions,
        sum(missing_capacity_count) as missing_capacity_count
    from demand
    group by 1, 2

),

combined as (

    select * from supply_rows
    union all
    select * from demand_rows

),

additive as (

    select
        window_start,
        model_id,
        sum(advertised_gpu_hours) as advertised_gpu_hours,
        sum(advertising_orchestrator_hours) as advertising_orchestrator_hours,
        sum(capacity_samples) as capacity_samples,
        sum(capacity_slots_sum) as capacity_slots_sum,
        sum(capacity_in_use_samples) as capacity_in_use_samples,
        sum(capacity_in_use_slots_sum) as capacity_in_use_slots_sum,
        sum(price_samples) as price_samples,
        sum(price_wei_per_pixel_sum) as price_wei_per_pixel_sum,
        sum(total_sessions) as total_sessions,
        sum(total_inference_minutes) as total_inference_minutes,
        sum(known_sessions) as known_sessions,
        sum(unexcused_sessions) as unexcused_sessions,
        sum(missing_capacity_count) as missing_capacity_count
    from combined
    group by 1, 2

),

final as (

    select
        window_start,
        model_id,
        cast(advertised_gpu_hours as bigint) as advertised_gpu_hours,
        cast(advertising_orchestrator_hours as bigint) as advertising_orchestrator_hours,
        cast(capacity_samples as bigint) as capacity_samples,
        cast(capacity_slots_sum as double) as capacity_slots_sum,
        cast(capacity_in_use_samples as bigint) as capacity_in_use_samples,
        cast(capacity_in_use_slots_sum as double) as capacity_in_use_slots_sum,
        cast(price_samples as bigint) as price_samples,
        cast(price_wei_per_pixel_sum as double) as price_wei_per_pixel_sum,
        cast(total_sessions as bigint) as total_sessions,
        cast(total_inference_minutes as double) as total_inference_minutes,
        cast(known_sessions as bigint) as known_sessions,
        cast(unexcused_sessions as bigint) as unexcused_sessions,
        cast(missing_capacity_count as bigint) as missing_capacity_count,
        {{ metric('inference_minutes_per_gpu_hour') }} as inference_minutes_per_gpu_hour,
        {{ metric('sessions_per_gpu_hour') }} as sessions_per_gpu_hour,
        {{ metric('avg_capacity_in_use') }} as avg_capacity_in_use,
        {{ metric('utilisation_ratio') }} as utilisation_ratio,
        {{ metric('avg_price_wei_per_pixel') }} as avg_price_wei_per_pixel,
        {{ metric('success_ratio') }} as success_ratio
    from additive

)

select * from final
