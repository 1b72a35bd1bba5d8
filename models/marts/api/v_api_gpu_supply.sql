-- Hourly GPU supply. Grain: window_start x orchestrator_address x pipeline x
-- model_id x gpu_id (gpu_name rides along: one name per GPU id). From the
-- capability snapshots (fct_gpu_supply) without a supply_issue; a GPU listed
-- twice in one snapshot counts once. Additive columns only, plus ratios from
-- them in the same row (formulas: metric_formulas in dbt_project.yml).
-- Distinct GPUs or orchestrators over a wider window are not additive: the
-- read API counts them from fct_gpu_supply.
with

supply as (

    select * from {{ ref('fct_gpu_supply') }}
    where supply_issue is null and is_first_listing

),

additive as (

    select
        window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        max(gpu_name) as gpu_name,
        count(*) as gpu_snapshots,
        count(case when is_warm then 1 end) as warm_gpu_snapshots,
        count(capacity_share) as capacity_samples,
        coalesce(sum(capacity_share), 0) as capacity_slots_sum,
        count(capacity_in_use_share) as capacity_in_use_samples,
        coalesce(sum(capacity_in_use_share), 0) as capacity_in_use_slots_sum,
        count(price_wei_per_pixel) as price_samples,
        coalesce(sum(price_wei_per_pixel), 0) as price_wei_per_pixel_sum
    from supply
    group by 1, 2, 3, 4, 5

),

final as (

    select
        window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        coalesce(gpu_name, '') as gpu_name,
        -- a GPU seen in an hour is one advertised GPU-hour (per model it serves)
        cast(1 as bigint) as advertised_gpu_hours,
        cast(gpu_snapshots as bigint) as gpu_snapshots,
        cast(warm_gpu_snapshots as bigint) as warm_gpu_snapshots,
        cast(capacity_samples as bigint) as capacity_samples,
        cast(capacity_slots_sum as double) as capacity_slots_sum,
        cast(capacity_in_use_samples as bigint) as capacity_in_use_samples,
        cast(capacity_in_use_slots_sum as double) as capacity_in_use_slots_sum,
        cast(price_samples as bigint) as price_samples,
        cast(price_wei_per_pixel_sum as double) as price_wei_per_pixel_sum,
        {{ metric('avg_capacity_slots') }} as avg_capacity_slots,
        {{ metric('avg_capacity_in_use') }} as avg_capacity_in_use,
        {{ metric('utilisation_ratio') }} as utilisation_ratio,
        {{ metric('warm_ratio') }} as warm_ratio,
        {{ metric('avg_price_wei_per_pixel') }} as avg_price_wei_per_pixel
    from additive

)

select * from final
