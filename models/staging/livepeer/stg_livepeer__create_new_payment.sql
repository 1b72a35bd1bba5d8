-- One row per payment. Wei amounts are parsed exactly ("2402400000000000 WEI"
-- -> 2402400000000000); the expected-value fee is computed in int_payments_linked.
-- delete key event_id: one row per event; reprocessing a batch rewrites the same events.
{{ config(
    order_by=['event_id'],
    unique_key='event_id',
) }}
with

events as (

    {{ kept_copies('create_new_payment') }}

),

parsed as (

    select
        event_id,
        gateway,
        envelope_ms,
        {{ text_value('payment_session_id') }} as payment_session_id,
        {{ text_value('payment_request_id') }} as request_id,
        {{ text_value('manifest_id') }} as manifest_id,
        lower({{ text_value('sender') }}) as sender_address,
        lower({{ text_value('recipient') }}) as recipient_address,
        {{ text_value('payment_orchestrator') }} as orchestrator_url,
        {{ text_value('face_value') }} as face_value_raw,
        {{ text_value('win_prob') }} as win_prob_raw,
        {{ text_value('num_tickets') }} as num_tickets_raw,
        {{ text_value('price') }} as price_raw
    from events

),

typed as (

    select
        *,
        -- wei is a whole number, optionally followed by the unit: "2402400000000000 WEI"
        {%- set wei_pattern = '^\\s*([0-9]{1,38})\\s*(?:[wW][eE][iI])?\\s*$' %}
        {{ try_cast_as(regex_group('face_value_raw', wei_pattern), 'decimal(38, 0)') }} as face_value_wei,
        {{ try_cast_as('win_prob_raw', 'double') }} as win_prob_reported,
        -- a ticket count is a whole number ("2"), nothing else
        {{ try_cast_as(regex_group('num_tickets_raw', '^\\s*([0-9]{1,18})\\s*$'), 'bigint') }}
            as num_tickets_reported,
        {{ try_cast_as(regex_group('price_raw', '^\\s*([0-9.eE+-]+)'), 'double') }} as price_reported
    from parsed

),

final as (

    select
        event_id,
        gateway,
        payment_session_id,
        request_id,
        manifest_id,
        -- manifestID is `<capability>_<model>` on a stream's first payment.
        {{ regex_group('manifest_id', '^[0-9]+_(.+)$') }} as manifest_model_id,
        sender_address,
        recipient_address,
        orchestrator_url,
        face_value_raw,
        face_value_wei,
        case when {{ is_valid_measure('win_prob_reported', 1) }} then win_prob_reported end as win_prob,
        case when num_tickets_reported >= 0 then num_tickets_reported end as num_tickets,
        case when {{ is_valid_measure('price_reported') }} then price_reported end as price_wei_per_pixel,
        -- a fee needs all three: a missing or unreadable one is flagged and
        -- the payment adds nothing to fee sums
        face_value_wei is null as has_invalid_face_value,
        not coalesce({{ is_valid_measure('win_prob_reported', 1) }}, false) as has_invalid_win_prob,
        not coalesce(num_tickets_reported >= 0, false) as has_invalid_num_tickets,
        envelope_ms as event_ms,
        {{ epoch_ms_to_timestamp('envelope_ms') }} as event_at,
        {{ batch_loaded_ms() }} as loaded_ms
    from typed

)

select * from final
