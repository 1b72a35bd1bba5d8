{#-
    A derived column of a serving view, by its formula: portable SQL over the
    view's additive columns, defined once in dbt_project.yml
    (`vars.metric_formulas.<view>.<column>`; a var, so every context has it,
    unit tests included). The view renders it over its own row, the session
    facts and the analyses over their sums, and the read API over the sums of
    a window (livepeer_analytics/api/views.py reads the same vars).

        {{ metric('sla_score') }} as sla_score                       -- in the view itself
        {{ metric('sla_score', 'v_api_sla_compliance') }} as sla_score  -- anywhere else
        {{ metric('avg_output_fps', 'v_api_gpu_metrics', 'fps.') }}    -- the additive columns read as fps.<column>
-#}
{% macro metric(column, view=none, prefix='') -%}
    {%- set name = view or model.name -%}
    {%- set formulas = var('metric_formulas').get(name, {}) -%}
    {%- if column not in formulas -%}
        {{ exceptions.raise_compiler_error("no formula for " ~ name ~ "." ~ column
            ~ ": add it to vars.metric_formulas in dbt_project.yml") }}
    {%- endif -%}
    {%- set formula = formulas[column] -%}
    {%- if prefix -%}
        {%- set identifiers = modules.re.findall('[a-z_][a-z0-9_]*', formula) -%}
        {%- set names = identifiers | reject('in', ['cast', 'as', 'double', 'nullif', 'sqrt', 'greatest', 'power'])
            | unique | join('|') -%}
        {%- set formula = modules.re.sub('\\b(' ~ names ~ ')\\b', prefix ~ '\\1', formula) -%}
    {%- endif -%}
    ({{ formula }})
{%- endmacro %}
