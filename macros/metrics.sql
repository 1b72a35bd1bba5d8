{#-
    A derived column of a serving view: its formula, defined once in the
    view's YAML (`meta.formula` of the column in models/marts/api/_api__models.yml),
    portable SQL over the view's additive columns. The view renders it over its
    own row, the session fact and the analyses over their sums, and the read
    API over the sums of a window (livepeer_analytics/api/views.py reads the
    same YAML).

        {{ metric('sla_score') }} as sla_score                       -- in the view itself
        {{ metric('sla_score', 'v_api_sla_compliance') }} as sla_score  -- anywhere else
        {{ metric('avg_output_fps', 'v_api_gpu_metrics', 'fps.') }}    -- the view's columns read as fps.<column>
-#}
{% macro metric(column, view=none, prefix='') -%}
    {%- if not execute -%}
        {{ return('null') }}
    {%- endif -%}
    {%- set name = view or model.name -%}
    {%- set node = graph.nodes.get('model.livepeer.' ~ name) -%}
    {%- if node is none or column not in node.columns or not node.columns[column].meta.get('formula') -%}
        {{ exceptions.raise_compiler_error("no formula for " ~ name ~ "." ~ column
            ~ ": give the column a meta.formula in models/marts/api/_api__models.yml") }}
    {%- endif -%}
    {%- set formula = node.columns[column].meta['formula'] -%}
    {%- if prefix -%}
        {%- set names = node.columns.keys() | map('string') | join('|') -%}
        {%- set formula = modules.re.sub('\\b(' ~ names ~ ')\\b', prefix ~ '\\1', formula) -%}
    {%- endif -%}
    ({{ formula }})
{%- endmacro %}
