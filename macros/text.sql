{#- Case-insensitive substring match (error taxonomy). -#}
{% macro contains_ci(haystack, needle) -%}
    {{ return(adapter.dispatch('contains_ci', 'livepeer')(haystack, needle)) }}
{%- endmacro %}

{% macro duckdb__contains_ci(haystack, needle) -%}
    contains(lower({{ haystack }}), lower({{ needle }}))
{%- endmacro %}


{#- The session identity of the contract (section 2). -#}
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


{#- Cast that yields NULL instead of failing (dbt.safe_cast is a plain cast on some adapters). -#}
{% macro try_cast_as(expr, data_type) -%}
    {{ return(adapter.dispatch('try_cast_as', 'livepeer')(expr, data_type)) }}
{%- endmacro %}

{% macro duckdb__try_cast_as(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}


{#- Null-safe inequality: true when exactly one side is NULL or both differ. -#}
{% macro differs(left, right) -%}
    not coalesce({{ left }} = {{ right }}, {{ left }} is null and {{ right }} is null)
{%- endmacro %}
