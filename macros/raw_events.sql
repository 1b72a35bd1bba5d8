{#-
    Where the raw envelopes come from (one row per delivered line, columns
    id, type, timestamp, gateway, data, source_file).

    DuckDB: `LIVEPEER_EVENTS` names an NDJSON/JSONL file, a directory (every
    *.ndjson / *.jsonl below it) or a glob; without it, the project's own
    fixture events (the `fixture_streaming_events` seed) are used.
-#}
{% macro livepeer_events_relation() -%}
    {{ return(adapter.dispatch('livepeer_events_relation', 'livepeer')()) }}
{%- endmacro %}

{% macro duckdb__livepeer_events_relation() -%}
    {%- set events = env_var('LIVEPEER_EVENTS', '') | trim -%}
    {%- if events == '' -%}
        (
            select
                id,
                type,
                timestamp,
                gateway,
                data,
                cast(null as varchar) as source_file
            from {{ ref('fixture_streaming_events') }}
        )
    {%- else -%}
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
    {%- endif -%}
{%- endmacro %}
