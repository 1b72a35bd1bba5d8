-- Hourly SLA compliance. Grain: window_start x orchestrator_address x
-- pipeline x model_id x gpu_id x region. Every counter is session-level:
-- each known session once, in the hour it started, under the identity that
-- served its startup.
--   sla_score = 100 x (health_signal_count / health_expected_signal_count)
--             x (0.4 x (1 - unexcused/known) + 0.2 x (1 - swapped/known)
--                + 0.4 x (1 - output_failed/known))
with

sessions as (

    select * from {{ ref('fct_workflow_sessions') }}
    where is_known_session

),

additive as (

    select
        session_start_hour as window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        region,
        {{ session_outcome_counts() }},
        count(case when is_output_failed then 1 end) as output_failed_sessions,
        sum(health_signal_count) as health_signal_count,
        sum(health_expected_signal_count) as health_expected_signal_count
    from sessions
    group by 1, 2, 3, 4, 5, 6

),

final as (

    select
        window_start,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        region,
        cast(known_sessions as bigint) as known_sessions,
        cast(startup_success_sessions as bigint) as startup_success_sessions,
        cast(excused_sessions as bigint) as excused_sessions,
        cast(unexcused_sessions as bigint) as unexcused_sessions,
        cast(swapped_sessions as bigint) as swapped_sessions,
        cast(output_failed_sessions as bigint) as output_failed_sessions,
        cast(health_signal_count as bigint) as health_signal_count,
        cast(health_expected_signal_count as bigint) as health_expected_signal_count,
        1 - {{ safe_ratio('unexcused_sessions', 'known_sessions') }} as success_ratio,
        1 - {{ safe_ratio('swapped_sessions', 'known_sessions') }} as no_swap_ratio,
        100
        * {{ safe_ratio('health_signal_count', 'health_expected_signal_count') }}
        * (
            0.4 * (1 - {{ safe_ratio('unexcused_sessions', 'known_sessions') }})
            + 0.2 * (1 - {{ safe_ratio('swapped_sessions', 'known_sessions') }})
            + 0.4 * (1 - {{ safe_ratio('output_failed_sessions', 'known_sessions') }})
        ) as sla_score
    from additive

)

select * from final
