-- Attribution of every orchestrator observation to a capability snapshot
-- entry (docs/sessions.md):
--   1. identity: local_address or address equals the reported wallet; when the
--      observation has a URL, entries with the same orch_uri are preferred;
--   2. compatibility: a known model hint and a known entry model must match
--      (an incompatible entry is never chosen, however fresh);
--   3. freshness: exact time, then nearest prior within the TTL, then nearest
--      later within the TTL; ties broken by address, uri, snapshot id, position.
-- If the chosen entry lists several GPUs for the model, gpu_id stays NULL and
-- gpu_attribution_method is `ambiguous_multiple_gpus`. Only the nearest prior
-- and nearest later snapshot of each candidate identity (wallet, uri, model,
-- canonical address) are considered, found with as-of joins, so the cost
-- grows with observations, not observations x snapshots.
-- Cross-batch: a new snapshot re-attributes the sessions with an observation
-- within the TTL of it (docs/incremental.md, rule R4).
-- delete key session_key on an event grain: all rows of each recomputed session are
-- deleted and its events re-inserted (docs/incremental.md, rule R1).
{{ config(
    order_by=['event_id'],
    unique_key='session_key',
) }}
with

observations as (

    select * from {{ ref('int_orchestrator_observations') }}
    where {{ in_affected_sessions() }}

),

capabilities as (

    select * from {{ ref('stg_livepeer__network_capabilities') }}

),

by_wallet as (

    -- each entry under the wallets it is found by (macro capability_entries_by_wallet)
    {{ capability_entries_by_wallet('capabilities') }}

),

snapshot_points as (

    -- one representative row per identity and snapshot time, for as-of joins
    select
        match_wallet,
        uri_key,
        model_key,
        address_key,
        coalesce(snapshot_ms, 0) as point_ms,
        snapshot_event_id,
        entry_index,
        hardware_index,
        gpu_slot,
        orch_uri,
        orchestrator_address,
        hardware_pipeline,
        hardware_model_id,
        gpu_id
    from by_wallet
    qualify row_number() over (
            partition by match_wallet, uri_key, model_key, address_key, snapshot_ms
            order by snapshot_event_id, entry_index, hardware_index, gpu_slot
        ) = 1

),

identity_keys as (

    select distinct
        match_wallet,
        uri_key,
        model_key,
        address_key
    from snapshot_points

),

observation_keys as (

    -- each observation against every compatible identity of its wallet
    select
        observations.event_id as event_id,
        coalesce(observations.event_ms, 0) as event_ms,
        observations.orchestrator_url as orchestrator_url,
        observations.session_model_hint as session_model_hint,
        identity_keys.match_wallet as match_wallet,
        identity_keys.uri_key as uri_key,
        identity_keys.model_key as model_key,
        identity_keys.address_key as address_key
    from observations
    inner join identity_keys on observations.orchestrator_wallet = identity_keys.match_wallet
    where
        observations.event_ms is not null
        and (
            identity_keys.model_key = ''
            or observations.session_model_hint is null
            or identity_keys.model_key = observations.session_model_hint
        )

),

prior_snapshots as (

    -- the nearest snapshot at or before the observation, per identity
    {{ nearest_snapshots('>=') }}

),

later_snapshots as (

    -- the nearest snapshot at or after the observation, per identity
    {{ nearest_snapshots('<=') }}

),

identity_matches as (

    select * from prior_snapshots
    union all
    select * from later_snapshots

),

candidates as (

    select
        event_id,
        snapshot_event_id,
        entry_index,
        hardware_index,
        gpu_slot,
        orchestrator_address,
        hardware_pipeline,
        hardware_model_id,
        gpu_id,
        case
            when snapshot_ms = event_ms then 'exact_orchestrator_time_match'
            when snapshot_ms < event_ms then 'nearest_prior_snapshot'
            else 'nearest_snapshot_within_ttl'
        end as attribution_method,
        case
            when snapshot_ms = event_ms then 0
            when snapshot_ms < event_ms then 1
            else 2
        end as freshness_rank,
        abs(snapshot_ms - event_ms) as snapshot_distance_ms,
        case
            when orchestrator_url is not null and orch_uri = orchestrator_url then 0
            else 1
        end as uri_rank,
        coalesce(session_model_hint, hardware_model_id) as resolved_model_id
    from identity_matches
    where
        abs(snapshot_ms - event_ms) <= {{ var('attribution_ttl_ms') }}
        and (
            session_model_hint is null
            or hardware_model_id is null
            or hardware_model_id = session_model_hint
        )

),

ranked as (

    select
        *,
        row_number() over (
            partition by event_id
            order by
                uri_rank,
                freshness_rank,
                snapshot_distance_ms,
                -- an entry row that names the model beats one without hardware
                case when hardware_model_id is null then 1 else 0 end,
                orchestrator_address,
                snapshot_event_id,
                entry_index,
                hardware_index,
                gpu_slot
        ) as candidate_rank
    from candidates

),

chosen as (

    select * from ranked
    where candidate_rank = 1

),

entry_gpus as (

    -- GPUs the chosen entry lists for the chosen model
    select
        chosen.event_id as event_id,
        count(distinct capabilities.gpu_id) as model_gpu_count
    from chosen
    inner join capabilities
        on chosen.snapshot_event_id = capabilities.snapshot_event_id
            and chosen.entry_index = capabilities.entry_index
            and chosen.resolved_model_id = capabilities.hardware_model_id
    group by 1

),

final as (

    select
        observations.event_id as event_id,
        observations.event_family as event_family,
        observations.session_key as session_key,
        observations.event_ms as event_ms,
        observations.orchestrator_wallet as orchestrator_wallet,
        observations.orchestrator_url as orchestrator_url,
        observations.session_model_hint as session_model_hint,
        chosen.snapshot_event_id as snapshot_event_id,
        chosen.orchestrator_address as orchestrator_address,
        coalesce(chosen.resolved_model_id, observations.session_model_hint) as model_id,
        -- `pipeline` is blank when unknown or when it merely repeats the model id
        case
            when chosen.hardware_pipeline is null then ''
            when chosen.hardware_pipeline = coalesce(chosen.resolved_model_id, observations.session_model_hint) then ''
            else chosen.hardware_pipeline
        end as pipeline,
        case when entry_gpus.model_gpu_count = 1 then chosen.gpu_id end as gpu_id,
        coalesce(chosen.attribution_method, 'none') as attribution_method,
        case coalesce(chosen.attribution_method, 'none')
            when 'exact_orchestrator_time_match' then 1.0
            when 'nearest_prior_snapshot' then 0.9
            when 'nearest_snapshot_within_ttl' then 0.7
            else 0.0
        end as attribution_confidence,
        case
            when chosen.event_id is null then 'none'
            when entry_gpus.model_gpu_count > 1 then 'ambiguous_multiple_gpus'
            when entry_gpus.model_gpu_count = 1 then chosen.attribution_method
            else 'none'
        end as gpu_attribution_method
    from observations
    left join chosen on observations.event_id = chosen.event_id
    left join entry_gpus on observations.event_id = entry_gpus.event_id

)

select * from final
