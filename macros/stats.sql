{#- Exact p95 by linear interpolation between closest ranks, identical on every engine. -#}
{% macro p95(expr) -%}
    {{ return(adapter.dispatch('p95', 'livepeer')(expr)) }}
{%- endmacro %}

{% macro duckdb__p95(expr) -%}
    quantile_cont({{ expr }}, 0.95)
{%- endmacro %}

{% macro clickhouse__p95(expr) -%}
    quantileExactInclusive(0.95)({{ expr }})
{%- endmacro %}


{#- The value of `arg` on the row with the smallest `val` (rows with NULL `val` ignored). -#}
{% macro arg_min(arg, val) -%}
    {{ return(adapter.dispatch('arg_min', 'livepeer')(arg, val)) }}
{%- endmacro %}

{#- A composite sort key (compared element by element), for arg_min over several columns. -#}
{% macro ordering_key(columns) -%}
    {{ return(adapter.dispatch('ordering_key', 'livepeer')(columns)) }}
{%- endmacro %}

{% macro duckdb__ordering_key(columns) -%}
    row({{ columns | join(', ') }})
{%- endmacro %}

{% macro clickhouse__ordering_key(columns) -%}
    tuple({{ columns | join(', ') }})
{%- endmacro %}

{#-
    The order of an id's groups of identical copies: envelope time, then
    payload hash, as one sortable value (a scalar is much cheaper than a
    composite key in DuckDB's arg_min).
-#}
{% macro copy_group_order(envelope_ms, payload_hash) -%}
    {{ return(adapter.dispatch('copy_group_order', 'livepeer')(envelope_ms, payload_hash)) }}
{%- endmacro %}

{% macro duckdb__copy_group_order(envelope_ms, payload_hash) -%}
    (cast({{ envelope_ms }} as hugeint) * 18446744073709551616 + {{ payload_hash }})
{%- endmacro %}

{% macro clickhouse__copy_group_order(envelope_ms, payload_hash) -%}
    tuple({{ envelope_ms }}, {{ payload_hash }})
{%- endmacro %}

{% macro duckdb__arg_min(arg, val) -%}
    arg_min({{ arg }}, {{ val }})
{%- endmacro %}

{% macro clickhouse__arg_min(arg, val) -%}
    argMin({{ arg }}, {{ val }})
{%- endmacro %}


{#- A finite number (not NaN, not +/-infinity); NULL stays NULL. -#}
{% macro is_finite(expr) -%}
    {{ return(adapter.dispatch('is_finite', 'livepeer')(expr)) }}
{%- endmacro %}

{% macro duckdb__is_finite(expr) -%}
    isfinite({{ expr }})
{%- endmacro %}

{% macro clickhouse__is_finite(expr) -%}
    isFinite({{ expr }})
{%- endmacro %}


{#-
    A usable measurement: a finite number from 0 up to `max_value` (a var).
    Negative, NaN, infinite and absurdly large readings are flagged where they
    enter (staging) and left out of every sum. NULL stays NULL.
-#}
{% macro is_valid_measure(expr, max_value=none) -%}
    ({{ is_finite(expr) }} and {{ expr }} >= 0{% if max_value is not none %} and {{ expr }} <= {{ max_value }}{% endif %})
{%- endmacro %}


{#-
    The startup counters every serving view exposes, over rows of
    fct_workflow_sessions: one definition, so success + excused + unexcused =
    known holds the same way in each view.
-#}
{% macro session_outcome_counts() -%}
    count(case when is_known_session then 1 end) as known_sessions,
    count(case when startup_outcome = 'success' then 1 end) as startup_success_sessions,
    count(case when startup_outcome = 'excused' then 1 end) as excused_sessions,
    count(case when startup_outcome = 'unexcused' then 1 end) as unexcused_sessions,
    count(case when is_known_session and is_swapped then 1 end) as swapped_sessions
{%- endmacro %}
