-- The models each capability snapshot entry says it runs, one row per
-- snapshot x entry x capability x model of
-- `capabilities.constraints.PerCapability.<capability>.models.<model>`:
-- warm or not, runner version, capacity in use and the model's own capacity
-- when the node sends one, beside the capability's advertised capacity
-- (`capabilities.capacities.<capability>`, shared by its models). Entries
-- without constraints give no row (their GPUs are in
-- stg_livepeer__network_capabilities).
-- delete key snapshot_event_id: a re-staged snapshot replaces all its rows.
{{ config(
    order_by=['snapshot_event_id', 'entry_index', 'capability_id', 'model_id'],
    unique_key='snapshot_event_id',
) }}
{%- set entry_fields = {
    'per_capability_json': 'capabilities.constraints.PerCapability',
    'capacities_json': 'capabilities.capacities',
} %}
with

events as (

    {{ kept_copies('network_capabilities') }}

),

entry_rows as (

    {{ unnest_json_array('events', 'events.payload_entries', 'entry', 'entry_index', entry_fields) }}

),

entries as (

    select
        event_id,
        envelope_ms,
        entry_index,
        {{ element_field('entry', entry_fields, 'per_capability_json') }} as per_capability_json,
        {{ element_field('entry', entry_fields, 'capacities_json') }} as capacities_json
    from entry_rows
    where entry is not null

),

capabilities as (

    select
        entries.*,
        capability_id,
        capability_json
    from entries
    {{ json_object_rows('entries.per_capability_json', 'capability_id', 'capability_json') }}

),

models as (

    select
        capabilities.*,
        model_key,
        model_json
    from capabilities
    {{ json_object_rows(json_value('capabilities.capability_json', 'models'), 'model_key', 'model_json') }}

),

parsed as (

    select
        event_id,
        entry_index,
        envelope_ms,
        capability_id,
        model_key,
        {{ json_text('model_json', 'warm') }} as warm_text,
        {{ json_text('model_json', 'runnerVersion') }} as runner_version,
        {{ json_text('model_json', 'capacityInUse') }} as capacity_in_use_text,
        {{ json_number('model_json', 'capacityInUse') }} as capacity_in_use_value,
        {{ json_number('model_json', 'capacity') }} as model_capacity_value,
        {{ json_number_at_key('capacities_json', 'capability_id') }} as capacity_value
    from models
    where model_key is not null and model_key != ''

),

final as (

    select
        event_id as snapshot_event_id,
        entry_index,
        capability_id,
        model_key as model_id,
        envelope_ms as snapshot_ms,
        {{ batch_loaded_ms() }} as loaded_ms,
        lower(warm_text) = 'true' as is_warm,
        runner_version,
        -- a count of slots: a whole number >= 0, else NULL and flagged
        case
            when capacity_in_use_value >= 0 and capacity_in_use_value = floor(capacity_in_use_value)
                then cast(capacity_in_use_value as bigint)
        end as capacity_in_use,
        case
            when model_capacity_value >= 0 and model_capacity_value = floor(model_capacity_value)
                then cast(model_capacity_value as bigint)
        end as model_capacity,
        case
            when capacity_value >= 0 and capacity_value = floor(capacity_value) then cast(capacity_value as bigint)
        end as capability_capacity,
        (capacity_in_use_text is not null and not coalesce(
            capacity_in_use_value >= 0 and capacity_in_use_value = floor(capacity_in_use_value), false
        )) as has_invalid_capacity_in_use
    from parsed

)

select * from final
