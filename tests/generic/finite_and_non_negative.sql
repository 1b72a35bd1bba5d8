{#-
    Every listed numeric column is NULL or a finite number >= 0: no NaN, no
    infinity, no negative count, minute, fee or FPS, whatever the input
    (a code invariant: values are validated where they enter, in staging).
-#}
{% test finite_and_non_negative(model, columns) %}

select *
from {{ model }}
where
    {% for column in columns -%}
        not coalesce({{ is_finite(column) }} and {{ column }} >= 0, true)
        {%- if not loop.last %} or {% endif %}
    {% endfor %}

{% endtest %}
