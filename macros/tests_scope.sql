{#-
    What a data test reads (dbt calls this for the `model` of every generic
    test). In `dbt build` (the hourly job) a test reads the rows this run
    wrote, so its cost follows the batch, not the history: rows stamped with
    this run's batch (`loaded_ms`), or for a model that recomputes whole
    sessions (unique_key session_key) the sessions this run recomputed
    (int_affected_sessions). A full build writes every
    row in one batch, so there it tests everything. `dbt test` (and `dbt
    build --vars '{all_rows: true}'`) tests every row: the nightly check
    (docs/incremental.md). Views, data-quality tables and
    seeds are always read whole, and so is the model of a test with
    `meta: {whole_model: true}` (a total compared with another table's).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append(where) -%}
    {%- endif -%}
    {%- set whole_model = (config.get('meta') or {}).get('whole_model', false) -%}
    {%- if execute and flags.WHICH == 'build' and not var('all_rows', false) and not whole_model
        and relation.identifier is defined -%}
        {#- the model's columns as its YAML documents them (no query to the warehouse) -#}
        {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            | selectattr('name', 'equalto', relation.identifier) | first -%}
        {%- set names = (node.columns.keys() | map('lower') | list) if node else [] -%}
        {%- set unique_key = node.config.unique_key if node else none -%}
        {%- if 'loaded_ms' in names -%}
            {%- do conditions.append('loaded_ms >= ' ~ run_batch_ms()) -%}
        {%- elif unique_key == 'session_key' and relation.identifier != 'int_affected_sessions' -%}
            {#- the queue lives beside the model (a ref here would add a dependency to every test) -#}
            {%- set affected = relation.incorporate(path={'identifier': 'int_affected_sessions'}) -%}
            {%- do conditions.append(
                'session_key in (select affected.session_key from ' ~ affected
                ~ ' as affected where affected.loaded_ms >= ' ~ run_batch_ms() ~ ')'
            ) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') as dbt_subquery') }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
