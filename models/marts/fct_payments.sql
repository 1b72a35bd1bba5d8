-- One row per payment, in its own UTC hour, with the demand dimensions of its
-- session; an unlinked payment keeps its own gateway and the model named by
-- its manifest.
-- delete key event_id: rewrites the payments int_payments_linked rewrote in the same batches.
{{ config(
    order_by=['event_id'],
    unique_key='event_id',
    meta={'recompute': 'rewrites exactly the payments int_payments_linked rewrote (that model recomputes the links of affected sessions, rule R3)'},
) }}
with

payments as (

    select * from {{ ref('int_payments_linked') }}
    where {{ in_new_batches() }}

),

sessions as (

    select * from {{ ref('fct_workflow_sessions') }}

),

gateway_regions as (

    select * from {{ ref('gateway_regions') }}

),

final as (

    select
        payments.event_id as event_id,
        payments.session_key as session_key,
        payments.link_method as link_method,
        payments.event_at as paid_at,
        {{ hour_start('payments.event_at') }} as window_start,
        coalesce(sessions.gateway, payments.gateway) as gateway,
        coalesce(sessions.region, gateway_regions.region, '') as region,
        coalesce(sessions.pipeline, '') as pipeline,
        coalesce(sessions.model_id, payments.manifest_model_id, '') as model_id,
        payments.orchestrator_address as orchestrator_address,
        payments.face_value_wei as face_value_wei,
        payments.win_prob as win_prob,
        payments.num_tickets as num_tickets,
        payments.face_value_eth as face_value_eth,
        payments.fee_payment_eth as fee_payment_eth
    from payments
    left join sessions on payments.session_key = sessions.session_key
    left join gateway_regions on payments.gateway = gateway_regions.gateway

)

select * from final
