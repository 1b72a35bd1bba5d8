{#- Case-insensitive substring match (error taxonomy). -#}
{% macro contains_ci(haystack, needle) -%}
    {{ return(adapter.dispatch('contains_ci', 'livepeer')(haystack, needle)) }}
{%- endmacro %}

{% macro duckdb__contains_ci(haystack, needle) -%}
    contains(lower({{ haystack }}), lower({{ needle }}))
{%- endmacro %}

{% macro clickhouse__contains_ci(haystack, needle) -%}
    (positionCaseInsensitiveUTF8({{ haystack }}, {{ needle }}) > 0)
{%- endmacro %}


{#- The session identity (docs/sessions.md). -#}
{% macro session_key(stream_id, request_id) -%}
    case
        when {{ stream_id }} is null and {{ request_id }} is null then null
        else coalesce({{ stream_id }}, '_missing_stream') || '|' || coalesce({{ request_id }}, '_missing_request')
    end
{%- endmacro %}


{#- First capture group of a regular expression, NULL when it does not match. -#}
{% macro regex_group(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_group', 'livepeer')(expr, pattern)) }}
{%- endmacro %}

{% macro duckdb__regex_group(expr, pattern) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', 1), '')
{%- endmacro %}

{% macro clickhouse__regex_group(expr, pattern) -%}
    nullif(extract({{ expr }}, '{{ pattern | replace("\\", "\\\\") }}'), '')
{%- endmacro %}


{#- Cast that yields NULL instead of failing (dbt.safe_cast is a plain cast on some adapters). -#}
{% macro try_cast_as(expr, data_type) -%}
    {{ return(adapter.dispatch('try_cast_as', 'livepeer')(expr, data_type)) }}
{%- endmacro %}

{% macro duckdb__try_cast_as(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}

{% macro clickhouse__try_cast_as(expr, data_type) -%}
    {%- set types = {
        'double': 'Float64',
        'bigint': 'Int64',
        'varchar': 'String',
        'boolean': 'Bool',
    } -%}
    {%- set lowered = data_type | lower | replace(' ', '') -%}
    {%- if lowered.startswith('decimal(') -%}
        {%- set ch_type = 'Decimal' ~ lowered[7:] -%}
    {%- else -%}
        {%- set ch_type = types[lowered] -%}
    {%- endif -%}
    accurateCastOrNull({{ expr }}, '{{ ch_type }}')
{%- endmacro %}


{#- Null-safe inequality: true when exactly one side is NULL or both differ. -#}
{% macro differs(left, right) -%}
    not coalesce({{ left }} = {{ right }}, {{ left }} is null and {{ right }} is null)
{%- endmacro %}


{#- Text starts with a literal prefix. -#}
{% macro starts_with(expr, prefix) -%}
    {{ return(adapter.dispatch('starts_with', 'livepeer')(expr, prefix)) }}
{%- endmacro %}

{% macro duckdb__starts_with(expr, prefix) -%}
    starts_with({{ expr }}, '{{ prefix }}')
{%- endmacro %}

{% macro clickhouse__starts_with(expr, prefix) -%}
    startsWith({{ expr }}, '{{ prefix }}')
{%- endmacro %}


{#- A NULL of a given type (double, bigint, varchar). -#}
{% macro typed_null(data_type) -%}
    {{ return(adapter.dispatch('typed_null', 'livepeer')(data_type)) }}
{%- endmacro %}

{% macro duckdb__typed_null(data_type) -%}
    cast(null as {{ data_type }})
{%- endmacro %}

{% macro clickhouse__typed_null(data_type) -%}
    {%- set types = {'double': 'Float64', 'bigint': 'Int64', 'varchar': 'String'} -%}
    cast(null, 'Nullable({{ types[data_type | lower] }})')
{%- endmacro %}
