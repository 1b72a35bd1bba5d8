{#- Every non-NULL value of each listed column lies in its [min, max] (`ranges`: column -> [min, max]). -#}
{% test columns_between(model, ranges) %}

select *
from {{ model }}
where
    {% for column, bounds in ranges.items() -%}
        {{ column }} < {{ bounds[0] }} or {{ column }} > {{ bounds[1] }}
        {%- if not loop.last %} or {% endif %}
    {% endfor %}

{% endtest %}
