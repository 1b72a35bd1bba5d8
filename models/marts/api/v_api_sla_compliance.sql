-- Hourly SLA compliance. Grain: window_start x orchestrator_address x
-- pipeline x model_id x gpu_id x region. Every counter is session-level:
-- each known session once, in the hour it started, under the identity that
-- served its startup. The derived columns' formulas (sla_score, ...) are the
-- metric_formulas vars in dbt_project.yml (macro metric).
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
        {{ metric('success_ratio') }} as success_ratio,
        {{ metric('no_swap_ratio') }} as no_swap_ratio,
        {{ metric('sla_score') }} as sla_score
    from additive

)

select * from final
