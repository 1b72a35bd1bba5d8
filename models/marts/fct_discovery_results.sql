-- One row per orchestrator a gateway's discovery probed, with its hour,
-- region and reported latency: which orchestrators each gateway could reach,
-- and how fast, beside the sessions that found no orchestrator
-- (docs/data-quality.md, "Discovery").
-- delete key event_id: a re-staged discovery event replaces all its result rows.
{{ config(
    order_by=['event_id', 'result_index'],
    unique_key='event_id',
) }}
with

discovery_results as (

    select * from {{ ref('stg_livepeer__discovery_results') }}
    where {{ in_new_batches() }}

),

gateway_regions as (

    select * from {{ ref('gateway_regions') }}

),

final as (

    select
        discovery_results.event_id as event_id,
        discovery_results.result_index as result_index,
        discovery_results.event_at as discovered_at,
        {{ hour_start('discovery_results.event_at') }} as window_start,
        discovery_results.gateway as gateway,
        coalesce(gateway_regions.region, '') as region,
        discovery_results.orchestrator_wallet as orchestrator_wallet,
        discovery_results.orchestrator_url as orchestrator_url,
        discovery_results.latency_ms as latency_ms,
        {{ batch_loaded_ms() }} as loaded_ms
    from discovery_results
    left join gateway_regions on discovery_results.gateway = gateway_regions.gateway

)

select * from final
