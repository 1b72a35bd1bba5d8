{#-
    The run history (docs/monitoring.md, "Run history"): `job_runs`, beside
    the models, one row per event of a job run, appended by the job itself
    (livepeer_analytics/run_history.py renders these macros with plain Jinja,
    outside dbt: they use nothing of dbt's context). A run writes a `started`
    row before any work and one row with its outcome when it ends; a run
    killed in between keeps only its `started` row. Append-only on both
    engines (no UPDATE, which ClickHouse would run as a mutation).
-#}
{% macro job_runs_columns() -%}
    run_id, event, recorded_at, started_at, finished_at, outcome, target, source_mode, batch_ms,
    lines_delivered, lines_accepted, lines_quarantined, quarantined_by_reason, sessions_recomputed,
    nodes_failed, duration_s, phases, message
{%- endmacro %}


{% macro duckdb__create_job_runs(relation) -%}
    create table if not exists {{ relation }} (
        run_id varchar not null,
        event varchar not null,
        recorded_at timestamp not null,
        started_at timestamp not null,
        finished_at timestamp,
        outcome varchar not null,
        target varchar not null,
        source_mode varchar not null,
        batch_ms bigint,
        lines_delivered bigint,
        lines_accepted bigint,
        lines_quarantined bigint,
        quarantined_by_reason varchar,
        sessions_recomputed bigint,
        nodes_failed bigint,
        duration_s double,
        phases varchar,
        message varchar
    )
{%- endmacro %}


{% macro clickhouse__create_job_runs(relation) -%}
    create table if not exists {{ relation }} (
        run_id String,
        event LowCardinality(String),
        recorded_at DateTime64(3, 'UTC'),
        started_at DateTime64(3, 'UTC'),
        finished_at Nullable(DateTime64(3, 'UTC')),
        outcome LowCardinality(String),
        target LowCardinality(String),
        source_mode LowCardinality(String),
        batch_ms Nullable(Int64),
        lines_delivered Nullable(Int64),
        lines_accepted Nullable(Int64),
        lines_quarantined Nullable(Int64),
        quarantined_by_reason Nullable(String),
        sessions_recomputed Nullable(Int64),
        nodes_failed Nullable(Int64),
        duration_s Nullable(Float64),
        phases Nullable(String),
        message Nullable(String)
    )
    engine = MergeTree
    order by (started_at, run_id, recorded_at)
{%- endmacro %}


{#-
    One row per run: its last event (the outcome, or `started` when it never
    finished), with `is_unfinished` and `is_repaired` (a successful run
    started after it). Portable SQL: both engines read it as is.
-#}
{% macro job_runs_latest(relation) -%}
    select
        runs.*,
        runs.outcome = 'started' as is_unfinished,
        runs.outcome = 'started' and coalesce(runs.started_at < (
            select max(ok.started_at) from {{ relation }} as ok where ok.outcome = 'success'
        ), false) as is_repaired
    from {{ relation }} as runs
    inner join (
        select run_id, max(recorded_at) as recorded_at
        from {{ relation }}
        group by run_id
    ) as latest on runs.run_id = latest.run_id and runs.recorded_at = latest.recorded_at
{%- endmacro %}
