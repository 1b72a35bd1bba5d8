-- Question: which GPUs had the best SLA over the most recent days of data?
--
-- One row per GPU (orchestrator_address x gpu_id) over the window of
-- `top_gpus_window_days` days (default 7) ending at the latest hour in
-- v_api_sla_compliance (not at today: the window follows the data). Session
-- counters are summed over the window across pipelines, models and regions,
-- then success_ratio, no_swap_ratio and sla_score are recomputed from the sums by
-- the view's own formulas (macro metric; hourly scores are never averaged). GPUs with fewer than
-- `top_gpus_min_known_sessions` known sessions (default 10) are left out, and
-- so are sessions with no single attributed GPU (gpu_id NULL: unattributed, or
-- several GPUs listed for the model). Ordered by sla_score, best first;
-- `top_gpus_limit` rows (default 20).
--
-- Use: `dbt compile --select analyses/top_gpus_by_sla.sql --vars
-- '{top_gpus_window_days: 7, top_gpus_min_known_sessions: 10, top_gpus_limit: 20}'`,
-- then run the SQL under target/compiled/livepeer/analyses/.
with

sla_compliance as (

    select * from {{ ref('v_api_sla_compliance') }}

),

latest_hour as (

    select max(window_start) as max_window_start
    from sla_compliance

),

windowed as (

    select sla_compliance.*
    from sla_compliance
    cross join latest_hour
    where
        sla_compliance.window_start
        > latest_hour.max_window_start - interval '{{ var("top_gpus_window_days", 7) }} days'
        and sla_compliance.gpu_id is not null

),

per_gpu as (

    select
        orchestrator_address,
        gpu_id,
        min(window_start) as first_window_start,
        max(window_start) as last_window_start,
        count(distinct model_id) as model_count,
        cast(sum(known_sessions) as bigint) as known_sessions,
        cast(sum(startup_success_sessions) as bigint) as startup_success_sessions,
        cast(sum(excused_sessions) as bigint) as excused_sessions,
        cast(sum(unexcused_sessions) as bigint) as unexcused_sessions,
        cast(sum(swapped_sessions) as bigint) as swapped_sessions,
        cast(sum(output_failed_sessions) as bigint) as output_failed_sessions,
        cast(sum(health_signal_count) as bigint) as health_signal_count,
        cast(sum(health_expected_signal_count) as bigint) as health_expected_signal_count
    from windowed
    group by orchestrator_address, gpu_id
    having sum(known_sessions) >= {{ var("top_gpus_min_known_sessions", 10) }}

),

scored as (

    select
        *,
        {{ metric('success_ratio', 'v_api_sla_compliance') }} as success_ratio,
        {{ metric('no_swap_ratio', 'v_api_sla_compliance') }} as no_swap_ratio,
        {{ metric('sla_score', 'v_api_sla_compliance') }} as sla_score
    from per_gpu

),

final as (

    select
        row_number() over (
            order by sla_score desc nulls last, known_sessions desc, orchestrator_address asc, gpu_id asc
        ) as sla_rank,
        orchestrator_address,
        gpu_id,
        sla_score,
        success_ratio,
        no_swap_ratio,
        known_sessions,
        startup_success_sessions,
        excused_sessions,
        unexcused_sessions,
        swapped_sessions,
        output_failed_sessions,
        health_signal_count,
        health_expected_signal_count,
        model_count,
        first_window_start,
        last_window_start
    from scored
    qualify sla_rank <= {{ var("top_gpus_limit", 20) }}

)

select * from final
order by sla_rank
