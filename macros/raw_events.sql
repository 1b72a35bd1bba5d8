{#-
    Where the raw envelopes come from: one row per delivered line with the
    columns id, type, timestamp, gateway, data, source_file.

    `LIVEPEER_SOURCE` chooses (default: `files` when `LIVEPEER_EVENTS` is set,
    else `fixtures`):
      fixtures  the project's own fixture events (seed fixture_streaming_events);
      files     the NDJSON named by LIVEPEER_EVENTS: a file, a directory (every
                *.ndjson / *.jsonl below it) or a glob. DuckDB reads the files
                directly; on ClickHouse `make run` first loads them into the
                `streaming_events` table (livepeer_analytics.load_events), which
                the models then read;
      table     the warehouse table `streaming_events` (source livepeer), as fed
                in production by Kafka.
-#}
{% macro livepeer_events_mode() -%}
    {%- set mode = env_var('LIVEPEER_SOURCE', '') | trim | lower -%}
    {%- if mode == '' -%}
        {%- set mode = 'files' if (env_var('LIVEPEER_EVENTS', '') | trim) else 'fixtures' -%}
    {%- endif -%}
    {%- if mode not in ['fixtures', 'files', 'table'] -%}
        {{ exceptions.raise_compiler_error("LIVEPEER_SOURCE must be fixtures, files or table, not '" ~ mode ~ "'") }}
    {%- endif -%}
    {{ return(mode) }}
{%- endmacro %}


{% macro livepeer_events_relation() -%}
    {%- set mode = livepeer_events_mode() -%}
    {%- if mode == 'fixtures' -%}
        (
            select
                id,
                type,
                timestamp,
                gateway,
                data,
                {{ typed_null('varchar') }} as source_file
            from {{ ref('fixture_streaming_events') }}
        )
    {%- elif mode == 'table' -%}
        {{ livepeer_events_table() }}
    {%- else -%}
        {{ return(adapter.dispatch('livepeer_events_files', 'livepeer')(env_var('LIVEPEER_EVENTS') | trim)) }}
    {%- endif -%}
{%- endmacro %}


{% macro livepeer_events_table() -%}
    (
        select
            id,
            type,
            timestamp,
            gateway,
            data,
            source_file
        from {{ source('livepeer', 'streaming_events') }}
    )
{%- endmacro %}


{% macro duckdb__livepeer_events_files(events) -%}
    {%- set lowered = events | lower -%}
    {%- set is_file_or_glob = '*' in events or '?' in events
        or lowered.endswith('.ndjson') or lowered.endswith('.jsonl') or lowered.endswith('.json') -%}
    {%- set pattern = events if is_file_or_glob else events.rstrip('/') ~ '/**/*.*' -%}
    (
        select
            id,
            type,
            timestamp,
            gateway,
            data,
            filename as source_file
        from read_json(
            '{{ pattern | replace("'", "''") }}',
            format = 'newline_delimited',
            filename = true,
            columns = {
                'id': 'varchar',
                'type': 'varchar',
                'timestamp': 'varchar',
                'gateway': 'varchar',
                'data': 'json'
            }
        )
        {%- if not is_file_or_glob %}
        where regexp_matches(lower(filename), '\.(ndjson|jsonl)$')
        {%- endif %}
    )
{%- endmacro %}


{#- ClickHouse reads the table the loader filled from those files. -#}
{% macro clickhouse__livepeer_events_files(events) -%}
    {{ livepeer_events_table() }}
{%- endmacro %}


{#-
    DDL of the raw table on ClickHouse (`dbt run-operation
    create_streaming_events_table`): the Kafka envelope with `data` as String.
    A Kafka engine table plus a materialized view, or a Kafka Connect sink,
    writes into it (README, "Running in production on ClickHouse").
-#}
{% macro create_streaming_events_table() -%}
    {%- set database = source('livepeer', 'streaming_events').schema -%}
    {%- do run_query('create database if not exists ' ~ database) -%}
    {%- do run_query(
        'create table if not exists ' ~ database ~ '.streaming_events (
            id String not null,
            type LowCardinality(String) not null,
            timestamp String not null,
            gateway LowCardinality(String) not null,
            data String not null,
            source_file String not null default \'\',
            ingested_at DateTime64(3, \'UTC\') not null default now64(3, \'UTC\')
        )
        engine = MergeTree
        order by (type, timestamp, id)'
    ) -%}
    {{ log('streaming_events ready in database ' ~ database, info=true) }}
{%- endmacro %}
