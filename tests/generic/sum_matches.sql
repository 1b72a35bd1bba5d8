{#-
    Additivity: the column summed over every row of the model equals the same
    quantity computed directly from the facts (`expression` aggregated over
    `compare_model`, optionally filtered by `where_clause`), to 1e-9 relative.
    A session or sample counted twice (or lost) makes the sums differ.
-#}
{% test sum_matches(model, column_name, compare_model, expression, where_clause='1 = 1') %}

with

view_total as (

    select coalesce(sum({{ column_name }}), 0) as total
    from {{ model }}

),

fact_total as (

    select coalesce({{ expression }}, 0) as total
    from {{ compare_model }}
    where {{ where_clause }}

)

select
    view_total.total as view_total,
    fact_total.total as fact_total
from view_total
cross join fact_total
where abs(view_total.total - fact_total.total) > 1e-9 * greatest(1, abs(fact_total.total))

{% endtest %}
