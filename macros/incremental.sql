{#-
    Incremental processing (README, "Hourly incremental runs").

    Every row written by a run carries `loaded_ms`, the epoch ms at which that
    dbt invocation started: the batch. Event-grain models process the latest
    batch of their parent; session-grain models recompute, in full, every
    session that the batch touched (int_affected_sessions), with delete+insert
    keyed on the session. Both strategies exist on DuckDB and ClickHouse.
-#}

{#- The batch id stamped on rows written by this invocation. -#}
{% macro batch_loaded_ms() -%}
    cast({{ (run_started_at.timestamp() * 1000) | int }} as bigint)
{%- endmacro %}


{#- Rows of `relation` from its latest batch; every row on a full build. -#}
{% macro in_latest_batch(relation, column='loaded_ms') -%}
    {%- if is_incremental() -%}
        {{ column }} = (select max(loaded_ms) from {{ relation }})
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{#- Restrict a session-grain model to the sessions the latest batch touched. -#}
{% macro in_affected_sessions(session_key_expr='session_key') -%}
    {%- set affected = ref('int_affected_sessions') -%}
    {%- if is_incremental() -%}
        {{ session_key_expr }} in (select affected.session_key from {{ affected }} as affected)
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
