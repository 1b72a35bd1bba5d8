-- One row per discovery result (orchestrator probed by the gateway).
-- delete key event_id: a re-staged discovery event replaces all its result rows.
{{ config(
    order_by=['event_id', 'result_index'],
    unique_key='event_id',
) }}
{%- set result_fields = {'address': 'address', 'url': 'url', 'latency_ms': 'latency_ms'} %}
with

events as (

    {{ kept_copies('discovery_results') }}

),

result_rows as (

    {{ unnest_json_array('events', 'events.payload_entries', 'result', 'result_index', result_fields) }}

),

results as (

    select
        event_id,
        gateway,
        envelope_ms,
        result,
        result_index
    from result_rows
    where result is not null

),

final as (

    select
        event_id,
        result_index,
        gateway,
        lower({{ text_value(element_field('result', result_fields, 'address')) }}) as orchestrator_wallet,
        {{ text_value(element_field('result', result_fields, 'url')) }} as orchestrator_url,
        {{ payload_number(element_field('result', result_fields, 'latency_ms')) }} as latency_ms,
        envelope_ms as event_ms,
        {{ epoch_ms_to_timestamp('envelope_ms') }} as event_at,
        {{ batch_loaded_ms() }} as loaded_ms
    from results

)

select * from final
