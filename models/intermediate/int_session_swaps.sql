-- Swaps per session (contract section 4): confirmed = orchestrator_swap
-- traces; inferred = distinct orchestrators seen minus 1 (floor 0). An
-- orchestrator is its canonical address when attribution resolved it, else
-- the reported hot wallet.
with

sessions as (

    select * from {{ ref('int_sessions') }}

),

milestones as (

    select * from {{ ref('int_session_trace_milestones') }}

),

observations as (

    select * from {{ ref('int_observations_attributed') }}

),

orchestrators_seen as (

    select
        session_key,
        count(distinct coalesce(orchestrator_address, orchestrator_wallet)) as distinct_orchestrator_count
    from observations
    group by 1

),

final as (

    select
        sessions.session_key,
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
