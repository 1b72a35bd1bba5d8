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


{#-
    Which raw rows an incremental run reads. Files (and the fixture seed) are
    read in full: each run is given the new files. A table fed continuously
    (LIVEPEER_SOURCE=table) is re-read from `incremental_lookback_hours`
    behind the newest event already loaded, so late arrivals are picked up;
    rows read twice are rewritten, not added (delete+insert on delivery_key).
-#}
{% macro raw_events_watermark() -%}
    {%- if is_incremental() and livepeer_events_mode() == 'table' -%}
        envelope_ms >= (select max(envelope_ms) from {{ this }}) - {{ var('incremental_lookback_hours') }} * 3600000
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{#- Envelope times at or beyond this (epoch ms) are quarantined as in the future. -#}
{% macro future_timestamp_limit_ms() -%}
    cast({{ (run_started_at.timestamp() * 1000 + var('future_tolerance_ms')) | int }} as bigint)
{%- endmacro %}
