-- One row per payment. Wei amounts are parsed exactly ("2402400000000000 WEI"
-- -> 2402400000000000); the expected-value fee is computed in int_payments_linked.
with

events as (

    select * from {{ ref('stg_livepeer__events') }}
    where event_type = 'create_new_payment'
        and {{ in_latest_batch(ref('stg_livepeer__events')) }}

),

parsed as (

    select
        event_id,
        gateway,
        envelope_ms,
        loaded_ms,
        {{ json_text('payload', 'sessionID') }} as payment_session_id,
        {{ json_text('payload', 'requestID') }} as request_id,
        {{ json_text('payload', 'manifestID') }} as manifest_id,
        lower({{ json_text('payload', 'sender') }}) as sender_address,
        lower({{ json_text('payload', 'recipient') }}) as recipient_address,
        {{ json_text('payload', 'orchestrator') }} as orchestrator_url,
        {{ json_text('payload', 'faceValue') }} as face_value_raw,
        {{ json_text('payload', 'winProb') }} as win_prob_raw,
        {{ json_text('payload', 'numTickets') }} as num_tickets_raw,
        {{ json_text('payload', 'price') }} as price_raw
    from events

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
        {{ try_cast_as(regex_group('face_value_raw', '^\\s*([0-9]+)'), 'decimal(38, 0)') }} as face_value_wei,
        {{ try_cast_as('win_prob_raw', 'double') }} as win_prob,
        {{ try_cast_as('num_tickets_raw', 'bigint') }} as num_tickets,
        {{ try_cast_as(regex_group('price_raw', '^\\s*([0-9.eE+-]+)'), 'double') }} as price_wei_per_pixel,
        envelope_ms as event_ms,
        {{ epoch_ms_to_timestamp('envelope_ms') }} as event_at,
        loaded_ms
    from parsed

)

select * from final
