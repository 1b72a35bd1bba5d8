{#- Time helpers. All times are UTC; epoch milliseconds are the raw unit. -#}

{#- Epoch milliseconds (bigint) to a UTC timestamp. -#}
{% macro epoch_ms_to_timestamp(ms_expr) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'livepeer')(ms_expr)) }}
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(ms_expr) -%}
    epoch_ms(cast({{ ms_expr }} as bigint))
{%- endmacro %}

{% macro clickhouse__epoch_ms_to_timestamp(ms_expr) -%}
    fromUnixTimestamp64Milli(toInt64({{ ms_expr }}), 'UTC')
{%- endmacro %}


{#- A timestamp (the raw table's `ingested_at`) to epoch milliseconds. -#}
{% macro timestamp_to_epoch_ms(ts_expr) -%}
    {{ return(adapter.dispatch('timestamp_to_epoch_ms', 'livepeer')(ts_expr)) }}
{%- endmacro %}

{% macro duckdb__timestamp_to_epoch_ms(ts_expr) -%}
    epoch_ms({{ ts_expr }})
{%- endmacro %}

{% macro clickhouse__timestamp_to_epoch_ms(ts_expr) -%}
    toUnixTimestamp64Milli({{ ts_expr }})
{%- endmacro %}


{#-
    A plausible event time in epoch ms: from 2020 (var `min_event_ms`) up to
    `future_tolerance_ms` after the run started. Payload times outside it are
    not believed: the event keeps its envelope time and is flagged.
-#}
{% macro is_plausible_event_ms(ms_expr) -%}
    ({{ ms_expr }} >= {{ var('min_event_ms') }} and {{ ms_expr }} < {{ future_timestamp_limit_ms() }})
{%- endmacro %}


{#-
    Event time of a session-scoped event: its payload `timestamp` when that is
    a plausible epoch ms, else the envelope time.
-#}
{% macro event_time_ms(data_timestamp_ms, envelope_ms) -%}
    case when {{ is_plausible_event_ms(data_timestamp_ms) }} then {{ data_timestamp_ms }} else {{ envelope_ms }} end
{%- endmacro %}

{#- The payload carried a `timestamp` that is not a plausible epoch ms (flag implausible_event_time). -#}
{% macro has_implausible_time(raw_text, time_ms) -%}
    ({{ raw_text }} is not null and not coalesce({{ is_plausible_event_ms(time_ms) }}, false))
{%- endmacro %}


{#- Start of the UTC hour containing a timestamp. -#}
{% macro hour_start(ts_expr) -%}
    {{ return(adapter.dispatch('hour_start', 'livepeer')(ts_expr)) }}
{%- endmacro %}

{% macro duckdb__hour_start(ts_expr) -%}
    date_trunc('hour', {{ ts_expr }})
{%- endmacro %}

{% macro clickhouse__hour_start(ts_expr) -%}
    toStartOfHour({{ ts_expr }}, 'UTC')
{%- endmacro %}


{#- Start of the UTC hour containing an epoch-ms instant, as epoch ms. -#}
{% macro hour_floor_ms(ms_expr) -%}
    {{ return(adapter.dispatch('hour_floor_ms', 'livepeer')(ms_expr)) }}
{%- endmacro %}

{% macro duckdb__hour_floor_ms(ms_expr) -%}
    (cast({{ ms_expr }} as bigint) // 3600000) * 3600000
{%- endmacro %}

{% macro clickhouse__hour_floor_ms(ms_expr) -%}
    (intDiv(toInt64({{ ms_expr }}), 3600000) * 3600000)
{%- endmacro %}


{#-
    Epoch value (double) that may be in seconds (below the threshold var) to
    milliseconds; zero, negative or missing values are NULL.
-#}
{% macro epoch_to_ms(expr) -%}
    case
        when {{ expr }} <= 0 then null
        when {{ expr }} < {{ var('epoch_seconds_threshold') }} then {{ try_cast_as('round(' ~ expr ~ ' * 1000)', 'bigint') }}
        else {{ try_cast_as('round(' ~ expr ~ ')', 'bigint') }}
    end
{%- endmacro %}


{#-
    Join clause: one row per UTC hour (epoch ms of its start, as `hour_alias`)
    that the interval [start_ms, end_ms] overlaps; at least one row.
-#}
{% macro hour_rows(start_ms, end_ms, hour_alias) -%}
    {{ return(adapter.dispatch('hour_rows', 'livepeer')(start_ms, end_ms, hour_alias)) }}
{%- endmacro %}

{% macro duckdb__hour_rows(start_ms, end_ms, hour_alias) -%}
    cross join unnest(
        range(
            {{ hour_floor_ms(start_ms) }},
            greatest({{ end_ms }}, {{ hour_floor_ms(start_ms) }} + 1),
            3600000
        )
    ) as _hours({{ hour_alias }})
{%- endmacro %}

{% macro clickhouse__hour_rows(start_ms, end_ms, hour_alias) -%}
    array join range(
        toInt64({{ hour_floor_ms(start_ms) }}),
        toInt64(greatest({{ end_ms }}, {{ hour_floor_ms(start_ms) }} + 1)),
        3600000
    ) as {{ hour_alias }}
{%- endmacro %}
