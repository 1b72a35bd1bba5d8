{#-
    Additivity: each listed column summed over every row of the model equals
    the same quantity computed directly from the facts (`expression`
    aggregated over `compare_model`, optionally filtered by `where_clause`),
    to 1e-9 relative. A session or sample counted twice (or lost) makes the
    sums differ. `checks`: a list of {column, compare_model, expression,
    where_clause}; one query for all of a model's additive columns.
-#}
{% test sums_match(model, checks) %}

{% for check in checks %}
select
    '{{ check.column }}' as column_name,
    view_total.total as view_total,
    fact_total.total as fact_total
from (select coalesce(sum({{ check.column }}), 0) as total from {{ model }}) as view_total
cross join (
    select coalesce({{ check.expression }}, 0) as total
    from {{ check.compare_model }}
    where {{ check.get('where_clause', '1 = 1') }}
) as fact_total
where abs(view_total.total - fact_total.total) > 1e-9 * greatest(1, abs(fact_total.total))
{% if not loop.last %}union all{% endif %}
{% endfor %}

{% endtest %}
