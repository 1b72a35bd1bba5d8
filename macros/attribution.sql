{#-
    int_observations_attributed: the nearest capability snapshot on one side
    of each observation, per candidate identity (wallet, uri, model, canonical
    address), by an as-of join. `comparison` is '>=' for the nearest snapshot
    at or before the observation, '<=' for the nearest at or after it.
-#}
{% macro nearest_snapshots(comparison) -%}
    select
        observation_keys.event_id as event_id,
        observation_keys.event_ms as event_ms,
        observation_keys.orchestrator_url as orchestrator_url,
        observation_keys.session_model_hint as session_model_hint,
        snapshot_points.point_ms as snapshot_ms,
        snapshot_points.snapshot_event_id as snapshot_event_id,
        snapshot_points.entry_index as entry_index,
        snapshot_points.hardware_index as hardware_index,
        snapshot_points.gpu_slot as gpu_slot,
        snapshot_points.orch_uri as orch_uri,
        snapshot_points.orchestrator_address as orchestrator_address,
        snapshot_points.hardware_pipeline as hardware_pipeline,
        snapshot_points.hardware_model_id as hardware_model_id,
        snapshot_points.gpu_id as gpu_id
    from observation_keys
    asof inner join snapshot_points
        on observation_keys.match_wallet = snapshot_points.match_wallet
            and observation_keys.uri_key = snapshot_points.uri_key
            and observation_keys.model_key = snapshot_points.model_key
            and observation_keys.address_key = snapshot_points.address_key
            and observation_keys.event_ms {{ comparison }} snapshot_points.point_ms
{%- endmacro %}


{#-
    Capability entries under each identity attribution matches an observation
    on: the wallet it is found by (`match_wallet`: its hot wallet local_address,
    or its canonical address, once when both are the same) with `uri_key`,
    `model_key` and `address_key`, plus every column of `capabilities`.
    Used by int_observations_attributed (which chooses among them) and
    int_affected_sessions (which finds the observations a new snapshot can
    change, rule R4), so both see the same identities.
-#}
{% macro capability_entries_by_wallet(capabilities) -%}
    select
        local_address as match_wallet,
        coalesce(orch_uri, '') as uri_key,
        coalesce(hardware_model_id, '') as model_key,
        coalesce(orchestrator_address, '') as address_key,
        {{ capabilities }}.*
    from {{ capabilities }}
    where snapshot_ms is not null and local_address is not null

    union all

    select
        orchestrator_address as match_wallet,
        coalesce(orch_uri, '') as uri_key,
        coalesce(hardware_model_id, '') as model_key,
        coalesce(orchestrator_address, '') as address_key,
        {{ capabilities }}.*
    from {{ capabilities }}
    where
        snapshot_ms is not null
        and orchestrator_address is not null
        and (local_address is null or local_address != orchestrator_address)
{%- endmacro %}
