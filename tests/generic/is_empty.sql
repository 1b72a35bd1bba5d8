{#- The model has no rows (used on data-quality models, usually at warn severity). -#}
{% test is_empty(model) %}

select * from {{ model }}

{% endtest %}
