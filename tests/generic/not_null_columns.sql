{#- None of the listed columns is NULL (one query for all of a model's not-null columns). -#}
{% test not_null_columns(model, columns) %}

select *
from {{ model }}
where
    {% for column in columns -%}
        {{ column }} is null
        {%- if not loop.last %} or {% endif %}
    {% endfor %}

{% endtest %}
