{#-
    How a raw line becomes envelope columns: the ONE definition, used by
    DuckDB's files mode (livepeer_events_files, rendered by dbt) and by the
    NDJSON loader on both engines (livepeer_analytics/load_events.py renders
    the engine's macro below with plain Jinja, no dbt start-up; so these
    macros use nothing of dbt's context: no ref, adapter, return or other
    macros outside this file).

    `lines` is a relation (or parenthesised query) with at least `raw_line`
    and `load_error` ('' when the line could be read). The result has every
    column of `lines`, `load_error` decided ('' or the reader's reason, else
    'not_json' when the line is not a JSON object) and the envelope fields as
    text:
      id, type, timestamp, gateway, data: a JSON string as the string itself,
      null or missing as '', anything else (number, boolean, object, array)
      as its JSON text (each engine writes numbers its own way: 1.50 may
      read as 1.5; the value is the same);
      a line that is not a JSON object gives '' for each.
    The line is parsed once.
-#}
{% macro envelope_of_lines(lines) -%}
    {{ return(adapter.dispatch('envelope_of_lines', 'livepeer')(lines)) }}
{%- endmacro %}


{#-
    DuckDB: one json_transform per line; the four short fields straight to
    text, `data` as JSON text (a string holding JSON is unwrapped; a look at
    its first byte decides, so other payloads are not parsed again).
-#}
{% macro duckdb__envelope_of_lines(lines) -%}
    select
        parsed.* exclude (envelope, load_error),
        case
            when parsed.load_error != '' then parsed.load_error
            when parsed.envelope is null then 'not_json'
            else ''
        end as load_error,
        {%- for key in ['id', 'type', 'timestamp', 'gateway'] %}
        coalesce(parsed.envelope.{{ key }}, '') as {{ key }},
        {%- endfor %}
        case
            when starts_with(cast(parsed.envelope.data as varchar), '"')
                then cast(parsed.envelope.data as varchar) ->> '$'
            else coalesce(nullif(cast(parsed.envelope.data as varchar), 'null'), '')
        end as data
    from (
        select
            *,
            case
                when load_error = '' and starts_with(ltrim(raw_line), '{')
                    then try(json_transform(
                        raw_line,
                        '{"id": "VARCHAR", "type": "VARCHAR", "timestamp": "VARCHAR", "gateway": "VARCHAR", "data": "JSON"}'
                    ))
            end as envelope
        from {{ lines }}
    ) as parsed
{%- endmacro %}


{#-
    ClickHouse: one JSONExtractKeysAndValuesRaw per line (its top-level keys
    and their values as JSON text); each field is then read from that pair
    list.
-#}
{% macro clickhouse__envelope_of_lines(lines) -%}
    {%- set keys = ['id', 'type', 'timestamp', 'gateway', 'data'] -%}
    select
        * except (load_error, is_object, pairs{% for key in keys %}, raw_{{ key }}{% endfor %}),
        if(load_error != '' or is_object, load_error, 'not_json') as load_error,
        {%- for key in keys %}
        multiIf(
            raw_{{ key }} in ('', 'null'), '',
            startsWith(raw_{{ key }}, '"'), JSONExtractString(raw_{{ key }}),
            raw_{{ key }}
        ) as {{ key }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            {%- for key in keys %}
            arrayFirst(pair -> pair.1 = '{{ key }}', pairs).2 as raw_{{ key }}{{ ',' if not loop.last }}  -- '' when missing
            {%- endfor %}
        from (
            select
                *,
                if(is_object, JSONExtractKeysAndValuesRaw(raw_line), []) as pairs
            from (
                select
                    *,
                    {{ clickhouse__envelope_is_object('raw_line', 'load_error') }} as is_object
                from {{ lines }}
            )
        )
    )
{%- endmacro %}


{#- ClickHouse: the line could be read and is a JSON object (the loader also counts the lines that are not). -#}
{% macro clickhouse__envelope_is_object(line, load_error) -%}
    ({{ load_error }} = '' and isValidJSON({{ line }}) and JSONType({{ line }}) = 'Object')
{%- endmacro %}
