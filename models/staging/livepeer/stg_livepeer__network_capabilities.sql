-- One row per capability snapshot entry x hardware x GPU. Entries without
-- `hardware` (or hardware without `gpu_info`) keep one row with NULLs there,
-- so the orchestrator identity they carry is not lost.
-- delete key snapshot_event_id: a re-staged snapshot replaces all its entry x GPU rows.
{{ config(
    order_by=['snapshot_event_id', 'entry_index', 'hardware_index', 'gpu_slot'],
    unique_key='snapshot_event_id',
) }}
{%- set entry_fields = {
    'address': 'address',
    'local_address': 'local_address',
    'orch_uri': 'orch_uri',
    'capabilities_version': 'capabilities.version',
    'hardware_json': 'hardware',
} %}
{%- set hardware_fields = {'pipeline': 'pipeline', 'model_id': 'model_id', 'gpu_info_json': 'gpu_info'} %}
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
        entry,
        entry_index
    from entry_rows
    where entry is not null

),

hardware as (

    {{ unnest_json_array(
        'entries', element_field('entries.entry', entry_fields, 'hardware_json'), 'hardware_item', 'hardware_index',
        hardware_fields
    ) }}

),

gpus as (

    select
        hardware.*,
        gpu_slot,
        gpu_json
    from hardware
    {{ json_object_rows(
        element_field('hardware.hardware_item', hardware_fields, 'gpu_info_json'), 'gpu_slot', 'gpu_json'
    ) }}

),

final as (

    select
        event_id as snapshot_event_id,
        entry_index,
        coalesce(hardware_index, 0) as hardware_index,
        coalesce(gpu_slot, '') as gpu_slot,
        envelope_ms as snapshot_ms,
        {{ epoch_ms_to_timestamp('envelope_ms') }} as snapshot_at,
        {{ batch_loaded_ms() }} as loaded_ms,
        lower({{ text_value(element_field('entry', entry_fields, 'address')) }}) as orchestrator_address,
        lower({{ text_value(element_field('entry', entry_fields, 'local_address')) }}) as local_address,
        {{ text_value(element_field('entry', entry_fields, 'orch_uri')) }} as orch_uri,
        {{ text_value(element_field('entry', entry_fields, 'capabilities_version')) }} as capabilities_version,
        {{ text_value(element_field('hardware_item', hardware_fields, 'pipeline')) }} as hardware_pipeline,
        {{ text_value(element_field('hardware_item', hardware_fields, 'model_id')) }} as hardware_model_id,
        {{ json_text('gpu_json', 'id') }} as gpu_id,
        {{ json_text('gpu_json', 'name') }} as gpu_name,
        {{ json_bigint('gpu_json', 'major') }} as gpu_compute_major,
        {{ json_bigint('gpu_json', 'minor') }} as gpu_compute_minor,
        {{ json_bigint('gpu_json', 'memory_total') }} as gpu_memory_total_bytes,
        {{ json_bigint('gpu_json', 'memory_free') }} as gpu_memory_free_bytes
    from gpus

)

select * from final
