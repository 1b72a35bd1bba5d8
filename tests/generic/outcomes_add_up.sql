{#- In every row: startup_success + excused + unexcused = known (docs/serving-views.md). -#}
{% test outcomes_add_up(model) %}

select *
from {{ model }}
where startup_success_sessions + excused_sessions + unexcused_sessions != known_sessions

{% endtest %}
