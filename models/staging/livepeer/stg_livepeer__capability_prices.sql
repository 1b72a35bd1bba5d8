-- The prices each capability snapshot entry advertises, one row per
-- snapshot x entry x element of `capabilities_prices[]`: the price in wei of
-- `pixelsPerUnit` pixels of a capability, for the model its `constraint`
-- names. Entries without prices give no row.
-- delete key snapshot_event_id: a re-staged snapshot replaces all its rows.
{{ config(
    order_by=['snapshot_event_id', 'entry_index', 'price_index'],
    unique_key='snapshot_event_id',
) }}
{%- set entry_fields = {'prices_json': 'capabilities_prices'} %}
{%- set price_fields = {
    'capability': 'capability',
    'constraint': 'constraint',
    'price_per_unit': 'pricePerUnit',
    'pixels_per_unit': 'pixelsPerUnit',
} %}
with

events as (

    {{ kept_copies('network_capabilities') }}

),

entry_rows as (

    {{ unnest_json_array('events', 'events.payload_entries', 'entry', 'entry_index', entry_fields) }}

),

entries as (

    select
        event_id,
        envelope_ms,
        entry_index,
        {{ element_field('entry', entry_fields, 'prices_json') }} as prices_json
    from entry_rows
    where entry is not null

),

price_rows as (

    {{ unnest_json_array('entries', 'entries.prices_json', 'price', 'price_index', price_fields) }}

),

parsed as (

    select
        event_id,
        entry_index,
        price_index,
        envelope_ms,
        {{ text_value(element_field('price', price_fields, 'capability')) }} as capability_id,
        {{ text_value(element_field('price', price_fields, 'constraint')) }} as constraint_model_id,
        {{ text_value(element_field('price', price_fields, 'price_per_unit')) }} as price_text,
        {{ text_value(element_field('price', price_fields, 'pixels_per_unit')) }} as pixels_text,
        {{ payload_number(element_field('price', price_fields, 'price_per_unit')) }} as price_value,
        {{ payload_number(element_field('price', price_fields, 'pixels_per_unit')) }} as pixels_value
    from price_rows
    where price is not null

),

checked as (

    select
        *,
        -- a price is usable when both numbers are finite, the price >= 0 and the unit > 0
        coalesce(
            {{ is_finite('price_value') }} and {{ is_finite('pixels_value') }}
            and price_value >= 0 and pixels_value > 0,
            false
        ) as is_valid_price
    from parsed

),

final as (

    select
        event_id as snapshot_event_id,
        entry_index,
        price_index,
        envelope_ms as snapshot_ms,
        {{ batch_loaded_ms() }} as loaded_ms,
        capability_id,
        constraint_model_id,
        case when is_valid_price then price_value end as price_per_unit_wei,
        case when is_valid_price then pixels_value end as pixels_per_unit,
        case when is_valid_price then price_value / pixels_value end as price_wei_per_pixel,
        not is_valid_price as has_invalid_price
    from checked

)

select * from final
