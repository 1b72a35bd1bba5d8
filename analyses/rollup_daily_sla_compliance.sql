-- Question: what was each GPU's SLA compliance per UTC day?
--
-- Re-rolls the hourly rows of v_api_sla_compliance to days at the same grain
-- (orchestrator_address x pipeline x model_id x gpu_id x region): the session
-- counters are summed, then success_ratio, no_swap_ratio and sla_score are
-- recomputed from the sums by the view's own formulas (macro metric: the
-- metric_formulas vars in dbt_project.yml), never averaged
-- over hours. A ratio whose denominator is 0 is NULL.
--
-- Use: `dbt compile --select analyses/rollup_daily_sla_compliance.sql`, then
-- run the SQL under target/compiled/livepeer/analyses/.
with

sla_compliance as (

    select * from {{ ref('v_api_sla_compliance') }}

),

daily as (

    select
        cast(window_start as date) as metric_date,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        region,
        cast(sum(known_sessions) as bigint) as known_sessions,
        cast(sum(startup_success_sessions) as bigint) as startup_success_sessions,
        cast(sum(excused_sessions) as bigint) as excused_sessions,
        cast(sum(unexcused_sessions) as bigint) as unexcused_sessions,
        cast(sum(swapped_sessions) as bigint) as swapped_sessions,
        cast(sum(output_failed_sessions) as bigint) as output_failed_sessions,
        cast(sum(health_signal_count) as bigint) as health_signal_count,
        cast(sum(health_expected_signal_count) as bigint) as health_expected_signal_count
    from sla_compliance
    group by 1, 2, 3, 4, 5, 6

),

final as (

    select
        metric_date,
        orchestrator_address,
        pipeline,
        model_id,
        gpu_id,
        region,
        known_sessions,
        startup_success_sessions,
        excused_sessions,
        unexcused_sessions,
        swapped_sessions,
        output_failed_sessions,
        health_signal_count,
        health_expected_signal_count,
        {{ metric('success_ratio', 'v_api_sla_compliance') }} as success_ratio,
        {{ metric('no_swap_ratio', 'v_api_sla_compliance') }} as no_swap_ratio,
        {{ metric('sla_score', 'v_api_sla_compliance') }} as sla_score
    from daily

)

select * from final
