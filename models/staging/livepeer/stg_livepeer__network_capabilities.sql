-- One row per capability snapshot entry x hardware x GPU. Entries without
-- `hardware` (or hardware without `gpu_info`) keep one row with NULLs there,
-- so the orchestrator identity they carry is not lost.
with

events as (

    select * from {{ ref('stg_livepeer__events') }}
    where event_type = 'network_capabilities'
        and {{ in_new_batches() }}

),

entries as (

    select
        events.event_id as event_id,
        events.envelope_ms as envelope_ms,
        entry_json,
        entry_index
    from events
    {{ json_array_rows('events.payload', 'entry_json', 'entry_index') }}
    where entry_json is not null

),

hardware as (

    select
        entries.*,
        hardware_json,
        hardware_index
    from entries
    {{ json_array_rows(json_value('entries.entry_json', 'hardware'), 'hardware_json', 'hardware_index') }}

),

gpus as (

    select
        hardware.*,
        gpu_slot,
        gpu_json
    from hardware
    {{ json_object_rows(json_value('hardware.hardware_json', 'gpu_info'), 'gpu_slot', 'gpu_json') }}

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
        lower({{ json_text('entry_json', 'address') }}) as orchestrator_address,
        lower({{ json_text('entry_json', 'local_address') }}) as local_address,
        {{ json_text('entry_json', 'orch_uri') }} as orch_uri,
        {{ json_text('entry_json', 'capabilities.version') }} as capabilities_version,
        {{ json_text('hardware_json', 'pipeline') }} as hardware_pipeline,
        {{ json_text('hardware_json', 'model_id') }} as hardware_model_id,
        {{ json_text('gpu_json', 'id') }} as gpu_id,
        {{ json_text('gpu_json', 'name') }} as gpu_name,
        {{ json_bigint('gpu_json', 'major') }} as gpu_compute_major,
        {{ json_bigint('gpu_json', 'minor') }} as gpu_compute_minor,
        {{ json_bigint('gpu_json', 'memory_total') }} as gpu_memory_total_bytes,
        {{ json_bigint('gpu_json', 'memory_free') }} as gpu_memory_free_bytes
    from gpus

)

select * from final
