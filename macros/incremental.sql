{#-
    Incremental processing, exactly once across failures (docs/incremental.md).

    Batches. Every row an incremental model writes carries `loaded_ms`, the
    epoch ms at which that dbt invocation started: its batch.

    The manifest. After each successful run of an incremental model, its
    post-hook appends (model, batch) to `livepeer_incremental_manifest`. A
    model's watermark is the newest batch recorded for it: everything its
    parents wrote up to that batch has been processed and written. A run that
    fails or is killed before the post-hook records nothing, so the next run
    processes that batch again (every model rewrites, with delete+insert,
    exactly the rows it recomputes, so processing a batch twice changes
    nothing). No record at all (a first build interrupted midway) means "redo
    everything".

    Each incremental model therefore reads what its parents wrote AFTER its
    own watermark (`in_new_batches`), never "the parent's latest batch", and
    each session-grain model recomputes the sessions queued in
    int_affected_sessions after its own watermark (`in_affected_sessions`).
-#}

{#- The batch id stamped on rows written by this invocation. -#}
{% macro batch_loaded_ms() -%}
    cast({{ run_batch_ms() }} as bigint)
{%- endmacro %}

{% macro run_batch_ms() -%}
    {{ return((run_started_at.timestamp() * 1000) | int) }}
{%- endmacro %}


{% macro incremental_manifest() -%}
    {{ return(target.schema ~ '.livepeer_incremental_manifest') }}
{%- endmacro %}


{#- on-run-start: the manifest table exists before any model reads it. -#}
{% macro create_incremental_manifest() -%}
    {{ return(adapter.dispatch('create_incremental_manifest', 'livepeer')()) }}
{%- endmacro %}

{% macro duckdb__create_incremental_manifest() -%}
    create table if not exists {{ incremental_manifest() }} (
        model_name varchar not null,
        batch_ms bigint not null
    )
{%- endmacro %}

{% macro clickhouse__create_incremental_manifest() -%}
    create table if not exists {{ incremental_manifest() }} (
        model_name String not null,
        batch_ms Int64 not null
    )
    engine = MergeTree
    order by (model_name, batch_ms)
{%- endmacro %}


{#- post-hook of every model: an incremental model records its successful batch. -#}
{% macro record_incremental_batch() -%}
    {%- if model.config.materialized == 'incremental' -%}
        insert into {{ incremental_manifest() }} (model_name, batch_ms)
        values ('{{ this.identifier }}', {{ run_batch_ms() }})
    {%- endif -%}
{%- endmacro %}


{#-
    This model's watermark: the batch of its last successful run, or none when
    the model is not running incrementally or has no record (then everything
    is (re)processed).
-#}
{% macro last_batch_ms() -%}
    {#- `this` is none in a dbt unit test: it runs the model as a full build -#}
    {%- if not execute or this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query(
        'select count(*) as runs, max(batch_ms) as batch_ms from ' ~ incremental_manifest()
        ~ " where model_name = '" ~ this.identifier ~ "'"
    ) -%}
    {%- set row = result.rows[0] -%}
    {{ return(none if (row[0] | int) == 0 else (row[1] | int)) }}
{%- endmacro %}


{#- Rows a parent wrote after this model's watermark (every row on a full build). -#}
{% macro in_new_batches(column='loaded_ms') -%}
    {%- set watermark = last_batch_ms() -%}
    {%- if watermark is none -%}
        1 = 1
    {%- else -%}
        {{ column }} > {{ watermark }}
    {%- endif -%}
{%- endmacro %}


{#-
    Restrict a session-grain model to the sessions queued in
    int_affected_sessions after its watermark. Such a model recomputes each of
    those sessions in full from its parents and replaces the session's rows
    (delete+insert keyed on session_key).
-#}
{% macro in_affected_sessions(session_key_expr='session_key') -%}
    {%- set affected = ref('int_affected_sessions') -%}
    {%- set watermark = last_batch_ms() -%}
    {%- if watermark is none -%}
        1 = 1
    {%- else -%}
        {{ session_key_expr }} in (
            select affected.session_key from {{ affected }} as affected
            where affected.loaded_ms > {{ watermark }}
        )
    {%- endif -%}
{%- endmacro %}


{#-
    Which raw rows an incremental run of stg_livepeer__deliveries reads. Files
    (and the fixture seed) are read in full: each run is given the files to
    read. A table fed continuously (LIVEPEER_SOURCE=table) is read by ARRIVAL:
    the rows that landed (`ingested_at`) since the newest arrival already
    processed by a successful run, minus `arrival_lookback_minutes` for rows
    still being inserted when that run read the table. An event is therefore
    picked up however late its own timestamp is. Rows read again (those few
    minutes) rewrite the same deliveries and are processed again downstream,
    which changes nothing.
-#}
{% macro raw_events_watermark() -%}
    {%- set watermark = last_batch_ms() -%}
    {%- if watermark is none or livepeer_events_mode() != 'table' -%}
        1 = 1
    {%- else -%}
        {%- set result = run_query(
            'select max(arrival_ms) from ' ~ this ~ ' where loaded_ms <= ' ~ watermark
        ) -%}
        {%- set newest = result.rows[0][0] -%}
        {%- if newest is none -%}
            1 = 1
        {%- else -%}
            arrival_ms >= {{ (newest | int) - var('arrival_lookback_minutes') * 60000 }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- Envelope times at or beyond this (epoch ms) are quarantined as in the future. -#}
{% macro future_timestamp_limit_ms() -%}
    cast({{ run_batch_ms() + var('future_tolerance_ms') }} as bigint)
{%- endmacro %}
