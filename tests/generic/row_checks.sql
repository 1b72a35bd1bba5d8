{#-
    Every per-row check of a model in one data test: one dbt node per model
    instead of one per check (a test node costs ~75 ms of dbt around a few ms
    of SQL). `checks` is a list of {name, <kind>: <arguments>}, exactly one
    kind per check, names unique within the model:

      not_null: [column, ...]                  none of the columns is NULL
      unique: [column, ...]                    the combination is unique (NULLs compare equal, as in GROUP BY)
      accepted_values: {column: [value, ...]}  every non-NULL value is one of them (compared as varchar)
      between: {column: [min, max]}            every non-NULL value lies in [min, max]
      finite_non_negative: [column, ...]       NULL, or a finite number >= 0 (no NaN, no infinity)
      expression: "<boolean SQL>"              every row satisfies it (a NULL result passes)

    Returns one row per failing row and check (none when all pass):
    `check_name`; `failing_value`, the first offending column of the row and
    its value (`unique`: the duplicated key and its row count; `expression`:
    the expression); `row_key`, the row's values of the first `unique`
    check's columns (NULL when there is none). The rows read are the test's
    scope (`model`, macros/tests_scope.sql), as for any generic test.

    No value is cast while it is NULL (a failing column is not NULL, a key
    is tested first), so the SQL runs on ClickHouse with or without the
    profile's cast_keep_nullable.
-#}
{% test row_checks(model, checks) %}

{%- set kinds = ['not_null', 'unique', 'accepted_values', 'between', 'finite_non_negative', 'expression'] -%}
{%- set names = [] -%}
{%- for check in checks -%}
    {%- set found = kinds | select('in', check) | list -%}
    {%- set unknown = check.keys() | reject('in', kinds + ['name']) | list -%}
    {%- if not check.name -%}
        {{ exceptions.raise_compiler_error('row_checks: a check without a name: ' ~ check) }}
    {%- elif check.name in names -%}
        {{ exceptions.raise_compiler_error('row_checks: two checks are named ' ~ check.name) }}
    {%- elif found | length != 1 or unknown -%}
        {{ exceptions.raise_compiler_error('row_checks: check ' ~ check.name ~ ' needs exactly one of '
            ~ kinds | join(', ') ~ ' (has: ' ~ ((found + unknown) | join(', ') or 'none') ~ ')') }}
    {%- endif -%}
    {%- do names.append(check.name) -%}
{%- endfor -%}

{#- `column = value, ...` as one varchar, for each unique check and the row key -#}
{%- set keys = {} -%}
{%- for check in checks if check.unique is defined -%}
    {%- set parts = [] -%}
    {%- for column in check.unique -%}
        {%- do parts.append("'" ~ column ~ " = ' || case when " ~ column ~ " is null then 'null' else cast("
            ~ column ~ " as varchar) end") -%}
    {%- endfor -%}
    {%- do keys.update({check.name: parts | join(" || ', ' || ")}) -%}
{%- endfor -%}
{%- set row_key = (checks | selectattr('unique', 'defined') | map(attribute='name') | first) -%}
{%- set row_key = keys[row_key] if row_key else 'cast(null as varchar)' %}

with

model_rows as (

    select
        *,
        {{ row_key }} as row_key
    from {{ model }}

),

failures as (
{% for check in checks %}
    {%- if check.unique is defined %}
    select
        '{{ check.name }}' as check_name,
        {{ keys[check.name] }} || ' (' || cast(count(*) as varchar) || ' rows)' as failing_value,
        {{ keys[check.name] }} as row_key
    from model_rows
    group by {{ check.unique | join(', ') }}
    having count(*) > 1
    {%- else -%}
        {#- each column with the condition under which it fails (an expression: its own) -#}
        {%- set failing = {} -%}
        {%- if check.expression is defined -%}
            {%- do failing.update({none: 'not (' ~ check.expression ~ ')'}) -%}
        {%- elif check.not_null is defined -%}
            {%- for column in check.not_null -%}
                {%- do failing.update({column: column ~ ' is null'}) -%}
            {%- endfor -%}
        {%- elif check.accepted_values is defined -%}
            {%- for column, accepted in check.accepted_values.items() -%}
                {%- set quoted = [] -%}
                {%- for value in accepted -%}
                    {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
                {%- endfor -%}
                {%- do failing.update({column: column ~ ' is not null and cast(' ~ column ~ ' as varchar) not in ('
                    ~ quoted | join(', ') ~ ')'}) -%}
            {%- endfor -%}
        {%- elif check.between is defined -%}
            {%- for column, bounds in check.between.items() -%}
                {%- do failing.update({column: column ~ ' < ' ~ bounds[0] ~ ' or ' ~ column ~ ' > ' ~ bounds[1]}) -%}
            {%- endfor -%}
        {%- elif check.finite_non_negative is defined -%}
            {%- for column in check.finite_non_negative -%}
                {%- do failing.update({column: 'not coalesce(' ~ is_finite(column) ~ ' and ' ~ column ~ ' >= 0, true)'}) -%}
            {%- endfor -%}
        {%- endif %}
    select
        '{{ check.name }}' as check_name,
        case
            {%- for column, condition in failing.items() %}
            when {{ condition }} then
                {%- if column is none %} '{{ check.expression | replace("'", "''") }}'
                {%- elif check.not_null is defined %} '{{ column }} is null'
                {%- else %} '{{ column }} = ' || cast({{ column }} as varchar)
                {%- endif %}
            {%- endfor %}
        end as failing_value,
        row_key
    from model_rows
    {%- endif %}
    {%- if not loop.last %}

    union all
{% endif %}
{%- endfor %}

)

{# a row passes a check when none of its conditions is true (NULL passes, as in a test's WHERE) #}
select * from failures
where failing_value is not null

{% endtest %}
