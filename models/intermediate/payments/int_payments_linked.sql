-- Payments linked to sessions (docs/sessions.md): by requestID; later
-- payments of a stream carry only sessionID, whose requestID is learned from
-- the first payment carrying both. When several sessions share a request id,
-- the latest one started at or before the payment wins. Unlinked payments
-- are kept with a NULL session_key. The fee is the expected value in ETH:
-- faceValue (wei) x winProb x numTickets / 1e18.
-- delete key event_id: the new payments plus every payment of a recomputed session are
-- rewritten, so a link can move (docs/incremental.md, rule R3).
{{ config(
    order_by=['event_id'],
    unique_key='event_id',
) }}
with

all_payments as (

    select * from {{ ref('stg_livepeer__create_new_payment') }}

),

batch_payments as (

    select * from {{ ref('stg_livepeer__create_new_payment') }}
    where {{ in_new_batches() }}

),

affected_sessions as (

    select * from {{ ref('int_sessions') }}
    where {{ in_affected_sessions() }}

),

sessions as (

    select * from {{ ref('int_sessions') }}

),

scope_session_ids as (

    -- the sessionIDs whose payments this run may rewrite: those of the new
    -- payments, and those of payments naming a recomputed session's request id
    -- (a sessionID's request id is learned from one of them)
    select batch_payments.payment_session_id from batch_payments
    union all
    select all_payments.payment_session_id
    from all_payments
    where all_payments.request_id in (select affected_sessions.request_id from affected_sessions)

),

payments as (

    -- only the payments a run can rewrite (every payment on a full build): any
    -- the final filter can select, with every payment of the same sessionID
    -- (learned_request_ids needs them all)
    select * from all_payments
    where
        all_payments.payment_session_id in (select scope_session_ids.payment_session_id from scope_session_ids)
        or all_payments.request_id in (select affected_sessions.request_id from affected_sessions)
        or all_payments.event_id in (select batch_payments.event_id from batch_payments)

),

learned_request_ids as (

    select
        payment_session_id,
        request_id as learned_request_id
    from payments
    where payment_session_id is not null and request_id is not null
    qualify row_number() over (partition by payment_session_id order by event_ms, event_id) = 1

),

resolved as (

    select
        payments.*,
        coalesce(payments.request_id, learned_request_ids.learned_request_id) as resolved_request_id,
        case
            when payments.request_id is not null then 'request_id'
            when learned_request_ids.learned_request_id is not null then 'session_id'
            else 'unlinked'
        end as link_method
    from payments
    left join learned_request_ids on payments.payment_session_id = learned_request_ids.payment_session_id

),

session_matches as (

    -- cross-session: the sessions sharing a request id are recomputed together
    -- (rule R2) and a new payment queues the sessions it names (rule R3),
    -- docs/incremental.md
    select
        resolved.event_id as event_id,
        sessions.session_key as session_key
    from resolved
    inner join sessions on resolved.resolved_request_id = sessions.request_id
    qualify row_number() over (
            partition by resolved.event_id
            order by
                case when sessions.session_start_ms <= resolved.event_ms then 0 else 1 end,
                abs(sessions.session_start_ms - resolved.event_ms),
                sessions.session_key
        ) = 1

),

final as (

    select
        resolved.event_id as event_id,
        session_matches.session_key as session_key,
        case when session_matches.session_key is null then 'unlinked' else resolved.link_method end as link_method,
        resolved.gateway as gateway,
        resolved.payment_session_id as payment_session_id,
        resolved.resolved_request_id as request_id,
        resolved.manifest_id as manifest_id,
        resolved.manifest_model_id as manifest_model_id,
        resolved.sender_address as sender_address,
        resolved.recipient_address as orchestrator_address,
        resolved.orchestrator_url as orchestrator_url,
        resolved.face_value_wei as face_value_wei,
        resolved.win_prob as win_prob,
        resolved.num_tickets as num_tickets,
        cast(resolved.face_value_wei as double) / 1e18 as face_value_eth,
        cast(resolved.face_value_wei as double)
        * resolved.win_prob
        * resolved.num_tickets
        / 1e18 as fee_payment_eth,
        resolved.event_ms as event_ms,
        resolved.event_at as event_at,
        {{ batch_loaded_ms() }} as loaded_ms
    from resolved
    left join session_matches on resolved.event_id = session_matches.event_id
    -- recompute new payments (every payment on a full build), payments sharing
    -- their sessionID, and every payment that may link to a recomputed session
    where
        resolved.event_id in (select batch_payments.event_id from batch_payments)
        or resolved.payment_session_id in (select batch_payments.payment_session_id from batch_payments)
        or resolved.resolved_request_id in (select affected_sessions.request_id from affected_sessions)

)

select * from final
