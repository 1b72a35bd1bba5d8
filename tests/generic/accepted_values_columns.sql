{#- Every non-NULL value of each listed column is one of its accepted values (`values`: column -> list). -#}
{% test accepted_values_columns(model, values) %}

{% for column, accepted in values.items() %}
select
    '{{ column }}' as column_name,
    cast({{ column }} as varchar) as value
from {{ model }}
where {{ column }} is not null
    and cast({{ column }} as varchar) not in (
        {%- for value in accepted %}'{{ value }}'{{ ', ' if not loop.last }}{% endfor -%}
    )
{% if not loop.last %}union all{% endif %}
{% endfor %}

{% endtest %}
