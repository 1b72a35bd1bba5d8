{#-
    Every model that carries sessions goes through the affected-session
    mechanism (docs/incremental.md): an incremental model outside staging with
    a `session_key` column must either read its inputs through
    `in_affected_sessions()` (it recomputes whole sessions) or say in
    `meta.recompute` why it does not. A model keyed on session_key must always
    read through it: its delete key replaces whole sessions. Returns one row
    per offending model.
-#}
{%- set offenders = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.package_name == project_name
        and node.config.materialized == 'incremental'
        and node.fqn[1] != 'staging' -%}
        {%- set reads_queue = 'in_affected_sessions(' in node.raw_code -%}
        {%- set carries_sessions = 'session_key' in node.columns or 'session_key' in node.raw_code -%}
        {%- set exempt = (node.config.meta or {}).get('recompute') -%}
        {%- if node.config.unique_key == 'session_key' and not reads_queue
            and node.name != 'int_affected_sessions' -%}
            {%- do offenders.append((node.name, 'keyed on session_key but does not read in_affected_sessions()')) -%}
        {%- elif carries_sessions and not reads_queue and not exempt
            and node.name != 'int_affected_sessions' -%}
            {%- do offenders.append((node.name, 'carries session_key without in_affected_sessions() or meta.recompute')) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}

with

offenders as (

    select
        'none' as model_name,
        'none' as problem
    {%- for name, problem in offenders %}
    union all
    select
        '{{ name }}' as model_name,
        '{{ problem }}' as problem
    {%- endfor %}

),

final as (

    select * from offenders
    where model_name != 'none'

)

select * from final
