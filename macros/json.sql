{#-
    JSON access over the event payload. Every engine difference in reading the
    raw envelope lives here (adapter.dispatch), never in models.

    `path` is a dotted path inside the JSON value, e.g. 'orchestrator_info.address'.
-#}

{% macro json_path(path) -%}
    '$.{{ path }}'
{%- endmacro %}

{#- ClickHouse: the same path as JSONExtract* key arguments: 'a', 'b', 'c'. -#}
{% macro json_keys_args(path) -%}
    {%- for key in path.split('.') -%}'{{ key }}'{{ ', ' if not loop.last }}{%- endfor -%}
{%- endmacro %}

{#- ClickHouse: the raw JSON text at a path, NULL when missing or JSON null. -#}
{% macro clickhouse_json_raw(json_expr, path) -%}
    nullif(nullif(JSONExtractRaw({{ json_expr }}, {{ json_keys_args(path) }}), ''), 'null')
{%- endmacro %}


{#- Text at `path`; missing, JSON null and '' all become NULL. -#}
{% macro json_text(json_expr, path) -%}
    {{ return(adapter.dispatch('json_text', 'livepeer')(json_expr, path)) }}
{%- endmacro %}

{% macro duckdb__json_text(json_expr, path) -%}
    nullif(trim(json_extract_string({{ json_expr }}, {{ json_path(path) }})), '')
{%- endmacro %}

{% macro clickhouse__json_text(json_expr, path) -%}
    nullif(trim(if(
        JSONType({{ json_expr }}, {{ json_keys_args(path) }}) = 'String',
        JSONExtractString({{ json_expr }}, {{ json_keys_args(path) }}),
        {{ clickhouse_json_raw(json_expr, path) }}
    )), '')
{%- endmacro %}


{#- A number at `path`, whether sent as a JSON number or as a numeric string. -#}
{% macro json_number(json_expr, path) -%}
    {{ return(adapter.dispatch('json_number', 'livepeer')(json_expr, path)) }}
{%- endmacro %}

{% macro duckdb__json_number(json_expr, path) -%}
    try_cast(json_extract_string({{ json_expr }}, {{ json_path(path) }}) as double)
{%- endmacro %}

{% macro clickhouse__json_number(json_expr, path) -%}
    toFloat64OrNull({{ clickhouse__json_text(json_expr, path) }})
{%- endmacro %}


{#- An integer at `path` (epoch ms, counters); numbers written as floats are accepted. -#}
{% macro json_bigint(json_expr, path) -%}
    {{ return(adapter.dispatch('json_bigint', 'livepeer')(json_expr, path)) }}
{%- endmacro %}

{% macro duckdb__json_bigint(json_expr, path) -%}
    try_cast(round(try_cast(json_extract_string({{ json_expr }}, {{ json_path(path) }}) as double)) as bigint)
{%- endmacro %}

{% macro clickhouse__json_bigint(json_expr, path) -%}
    accurateCastOrNull(round({{ clickhouse__json_number(json_expr, path) }}), 'Int64')
{%- endmacro %}


{#- The JSON value (object or array) at `path`, still JSON. -#}
{% macro json_value(json_expr, path) -%}
    {{ return(adapter.dispatch('json_value', 'livepeer')(json_expr, path)) }}
{%- endmacro %}

{% macro duckdb__json_value(json_expr, path) -%}
    json_extract({{ json_expr }}, {{ json_path(path) }})
{%- endmacro %}

{% macro clickhouse__json_value(json_expr, path) -%}
    {{ clickhouse_json_raw(json_expr, path) }}
{%- endmacro %}


{#-
    The envelope's `data`: real exports carry it as a JSON object/array or as a
    string holding JSON. Returns the parsed JSON either way.
-#}
{% macro json_payload(data_expr) -%}
    {{ return(adapter.dispatch('json_payload', 'livepeer')(data_expr)) }}
{%- endmacro %}

{% macro duckdb__json_payload(data_expr) -%}
    case
        -- a JSON string holding JSON: unwrap it (one cheap look at the first byte)
        when starts_with(ltrim(cast({{ data_expr }} as varchar)), '"')
            then try_cast(json_extract_string(try_cast({{ data_expr }} as json), '$') as json)
        else try_cast({{ data_expr }} as json)
    end
{%- endmacro %}

{% macro clickhouse__json_payload(data_expr) -%}
    {%- set unwrapped -%}
        if(JSONType({{ data_expr }}) = 'String', JSONExtractString({{ data_expr }}), {{ data_expr }})
    {%- endset -%}
    if(isValidJSON({{ unwrapped }}), {{ unwrapped }}, null)
{%- endmacro %}


{#-
    Join clause: one row per element of the JSON array `json_expr` (a LEFT join:
    a row whose array is missing or empty is kept once, with NULLs).
    `index_alias` is the 1-based position in the array.
-#}
{% macro json_array_rows(json_expr, value_alias, index_alias) -%}
    {{ return(adapter.dispatch('json_array_rows', 'livepeer')(json_expr, value_alias, index_alias)) }}
{%- endmacro %}

{% macro duckdb__json_array_rows(json_expr, value_alias, index_alias) -%}
    left join lateral unnest(json_extract({{ json_expr }}, '$[*]'))
        with ordinality as _{{ value_alias }}({{ value_alias }}, {{ index_alias }})
        on true
{%- endmacro %}

{% macro clickhouse__json_array_rows(json_expr, value_alias, index_alias) -%}
    left array join
        arrayMap(x -> toNullable(x), JSONExtractArrayRaw(ifNull({{ json_expr }}, ''))) as {{ value_alias }},
        arrayMap(x -> toNullable(toInt64(x)), arrayEnumerate(JSONExtractArrayRaw(ifNull({{ json_expr }}, ''))))
        as {{ index_alias }}
{%- endmacro %}


{#-
    Join clause: one row per key of the JSON object `json_expr` (LEFT join), with
    `key_alias` the key and `value_alias` its JSON value (e.g. `gpu_info` keyed "0", "1").
-#}
{% macro json_object_rows(json_expr, key_alias, value_alias) -%}
    {{ return(adapter.dispatch('json_object_rows', 'livepeer')(json_expr, key_alias, value_alias)) }}
{%- endmacro %}

{% macro duckdb__json_object_rows(json_expr, key_alias, value_alias) -%}
    left join lateral (
        select
            _k.{{ key_alias }},
            json_extract({{ json_expr }}, '$."' || _k.{{ key_alias }} || '"') as {{ value_alias }}
        from unnest(json_keys({{ json_expr }})) as _k({{ key_alias }})
    ) as _{{ value_alias }} on true
{%- endmacro %}

{% macro clickhouse__json_object_rows(json_expr, key_alias, value_alias) -%}
    left array join
        arrayMap(kv -> toNullable(kv.1), JSONExtractKeysAndValuesRaw(ifNull({{ json_expr }}, ''))) as {{ key_alias }},
        arrayMap(kv -> toNullable(kv.2), JSONExtractKeysAndValuesRaw(ifNull({{ json_expr }}, ''))) as {{ value_alias }}
{%- endmacro %}


{#- 'object', 'array', ... : the kind of a JSON value (payload shape checks). -#}
{% macro json_shape(json_expr) -%}
    {{ return(adapter.dispatch('json_shape', 'livepeer')(json_expr)) }}
{%- endmacro %}

{% macro duckdb__json_shape(json_expr) -%}
    lower(json_type({{ json_expr }}))
{%- endmacro %}

{% macro clickhouse__json_shape(json_expr) -%}
    lower(toString(JSONType({{ json_expr }})))
{%- endmacro %}


{#- A number at the top-level key `key_expr` (an SQL expression, e.g. a column) of a JSON object. -#}
{% macro json_number_at_key(json_expr, key_expr) -%}
    {{ return(adapter.dispatch('json_number_at_key', 'livepeer')(json_expr, key_expr)) }}
{%- endmacro %}

{% macro duckdb__json_number_at_key(json_expr, key_expr) -%}
    try_cast(json_extract_string({{ json_expr }}, '$."' || {{ key_expr }} || '"') as double)
{%- endmacro %}

{% macro clickhouse__json_number_at_key(json_expr, key_expr) -%}
    toFloat64OrNull(nullif(trim(if(
        JSONType(ifNull({{ json_expr }}, ''), {{ key_expr }}) = 'String',
        JSONExtractString(ifNull({{ json_expr }}, ''), {{ key_expr }}),
        JSONExtractRaw(ifNull({{ json_expr }}, ''), {{ key_expr }})
    )), ''))
{%- endmacro %}
