-- Swaps per session (docs/sessions.md): confirmed = orchestrator_swap
-- traces; inferred = distinct orchestrators seen minus 1 (floor 0). An
-- orchestrator is the canonical address attribution resolved; a hot wallet
-- that none of the session's observations resolved counts as itself.
-- delete key session_key: every row of each recomputed session is replaced
-- (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key'],
    unique_key='session_key',
) }}
with

sessions as (

    select * from {{ ref('int_sessions') }}
    where {{ in_affected_sessions() }}

),

milestones as (

    select * from {{ ref('int_session_trace_milestones') }}
    where {{ in_affected_sessions() }}

),

observations as (

    select * from {{ ref('int_observations_attributed') }}
    where {{ in_affected_sessions() }}

),

resolved_orchestrators as (

    select
        session_key,
        orchestrator_address as orchestrator
    from observations
    where orchestrator_address is not null

),

unresolved_wallets as (

    -- a hot wallet that no observation of the session resolved counts as itself
    select
        session_key,
        orchestrator_wallet as orchestrator
    from observations
    group by session_key, orchestrator_wallet
    having count(orchestrator_address) = 0

),

orchestrators_seen as (

    select
        session_key,
        count(distinct orchestrator) as distinct_orchestrator_count
    from (
        select * from resolved_orchestrators
        union all
        select * from unresolved_wallets
    ) as seen
    group by session_key

),

final as (

    select
        sessions.session_key as session_key,
        coalesce(milestones.confirmed_swap_count, 0) as confirmed_swap_count,
        greatest(coalesce(orchestrators_seen.distinct_orchestrator_count, 0) - 1, 0)
            as inferred_orchestrator_change_count,
        coalesce(milestones.confirmed_swap_count, 0) > 0
        or coalesce(orchestrators_seen.distinct_orchestrator_count, 0) > 1 as is_swapped
    from sessions
    left join milestones on sessions.session_key = milestones.session_key
    left join orchestrators_seen on sessions.session_key = orchestrators_seen.session_key

)

select * from final
