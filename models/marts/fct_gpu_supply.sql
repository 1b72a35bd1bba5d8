-- What the network offers: one row per capability snapshot x orchestrator
-- entry x GPU x model (a `hardware[]` element's GPU and the model it
-- serves), with the orchestrator as attribution knows it (canonical address,
-- hot wallet, URI), the GPU, whether the model is warm, the capability's
-- capacity and capacity in use, and the advertised price (docs/views/gpu-supply.md).
--
-- Capacity and capacity in use are advertised per orchestrator, not per GPU:
-- capacity in use per model (`constraints.PerCapability.<capability>.models.
-- <model>.capacityInUse`), capacity per capability (`capabilities.capacities`,
-- shared by the capability's models) unless the model states its own. Each
-- GPU carries an even share (`capacity_share`: of the model's capacity over
-- the model's GPUs, else of the capability's over all the capability's GPUs
-- in the entry; `capacity_in_use_share`: of the model's in use over the
-- model's GPUs), so the shares of an orchestrator's GPUs sum to what it
-- advertised. The price is the
-- `capabilities_prices[]` element whose `constraint` names the model (of the
-- model's capability when two match).
--
-- `supply_issue` flags what makes a row unusable for the supply view
-- (missing_orchestrator_address, missing_gpu_id, missing_model); invalid
-- prices and capacities are left out of the averages and listed in
-- dq_flagged_events. Flagged, never fatal.
-- delete key snapshot_event_id: a re-staged snapshot replaces all its rows.
{{ config(
    order_by=['snapshot_event_id', 'entry_index', 'hardware_index', 'gpu_slot'],
    unique_key='snapshot_event_id',
) }}
with

gpus as (

    select * from {{ ref('stg_livepeer__network_capabilities') }}
    where hardware_index > 0 and {{ in_new_batches() }}

),

capability_models as (

    select * from {{ ref('stg_livepeer__capability_models') }}
    where {{ in_new_batches() }}

),

prices as (

    select * from {{ ref('stg_livepeer__capability_prices') }}
    where {{ in_new_batches() }} and not has_invalid_price

),

gpus_per_model as (

    select
        *,
        -- how many GPUs of the entry serve this model: its capacity in use is shared among them
        count(gpu_id) over (
            partition by snapshot_event_id, entry_index, hardware_model_id
        ) as model_gpu_count
    from gpus

),

with_models as (

    select
        gpus_per_model.*,
        capability_models.capability_id as capability_id,
        capability_models.is_warm as is_warm,
        capability_models.runner_version as runner_version,
        capability_models.model_capacity as model_capacity,
        capability_models.capability_capacity as capability_capacity,
        capability_models.capacity_in_use as model_capacity_in_use
    from gpus_per_model
    left join capability_models
        on
            gpus_per_model.snapshot_event_id = capability_models.snapshot_event_id
            and gpus_per_model.entry_index = capability_models.entry_index
            and gpus_per_model.hardware_model_id = capability_models.model_id
    -- a model listed under two capabilities: the lowest capability id
    qualify row_number() over (
            partition by
                gpus_per_model.snapshot_event_id, gpus_per_model.entry_index,
                gpus_per_model.hardware_index, gpus_per_model.gpu_slot
            order by capability_models.capability_id
        ) = 1

),

with_prices as (

    select
        with_models.*,
        prices.price_per_unit_wei as price_per_unit_wei,
        prices.pixels_per_unit as pixels_per_unit,
        prices.price_wei_per_pixel as price_wei_per_pixel
    from with_models
    left join prices
        on
            with_models.snapshot_event_id = prices.snapshot_event_id
            and with_models.entry_index = prices.entry_index
            and with_models.hardware_model_id = prices.constraint_model_id
    qualify row_number() over (
            partition by
                with_models.snapshot_event_id, with_models.entry_index,
                with_models.hardware_index, with_models.gpu_slot
            order by
                case when prices.capability_id = with_models.capability_id then 0 else 1 end,
                prices.price_index
        ) = 1

),

with_capability_gpus as (

    select
        *,
        -- how many GPUs of the entry serve a model of this capability: its capacity is shared among them
        count(gpu_id) over (
            partition by snapshot_event_id, entry_index, capability_id
        ) as capability_gpu_count
    from with_prices

),

final as (

    select
        snapshot_event_id,
        entry_index,
        hardware_index,
        gpu_slot,
        snapshot_at,
        {{ hour_start('snapshot_at') }} as window_start,
        orchestrator_address,
        local_address,
        orch_uri,
        capabilities_version as node_version,
        runner_version,
        hardware_pipeline as pipeline,
        hardware_model_id as model_id,
        capability_id,
        gpu_id,
        gpu_name,
        gpu_memory_total_bytes,
        coalesce(is_warm, false) as is_warm,
        model_gpu_count,
        capability_gpu_count,
        model_capacity,
        capability_capacity,
        model_capacity_in_use,
        coalesce(
            cast(model_capacity as double) / nullif(model_gpu_count, 0),
            cast(capability_capacity as double) / nullif(capability_gpu_count, 0)
        ) as capacity_share,
        cast(model_capacity_in_use as double) / nullif(model_gpu_count, 0) as capacity_in_use_share,
        price_per_unit_wei,
        pixels_per_unit,
        price_wei_per_pixel,
        -- the first row of a GPU x model listed twice in one snapshot (the view counts it once)
        row_number() over (
            partition by snapshot_event_id, orchestrator_address, hardware_pipeline, hardware_model_id, gpu_id
            order by entry_index, hardware_index, gpu_slot
        ) = 1 as is_first_listing,
        case
            when orchestrator_address is null then 'missing_orchestrator_address'
            when gpu_id is null then 'missing_gpu_id'
            when hardware_model_id is null or hardware_pipeline is null then 'missing_model'
        end as supply_issue
    from with_capability_gpus

)

select * from final
