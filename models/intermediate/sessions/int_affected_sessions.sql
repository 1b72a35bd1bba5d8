-- The queue of sessions to recompute. Each run appends (replaces, keyed on
-- session_key) every session whose inputs the events that arrived since this
-- model's own last successful run may have changed, stamped with the run's
-- batch (`loaded_ms`):
--   1. sessions with a session-scoped event among them, late ones included
--      (rule R1 in docs/incremental.md: each is then recomputed in full);
--   2. sessions whose request id a new payment names, directly or through
--      its sessionID (rule R3);
--   3. sessions with an observation of an orchestrator whose capability
--      snapshot is new, within the attribution TTL of it (rule R4);
--   4. every session sharing a stream_id or request_id with any of those
--      (rule R2):
--      a session is never recomputed without the rest of its stream, which
--      is_first_session_of_stream (fct_workflow_sessions) and the payment
--      linking by request id depend on.
-- Every session-grain model recomputes the sessions queued after ITS OWN
-- last successful run (macro in_affected_sessions), so a run that failed or
-- was killed halfway is completed by the next one. A full build queues every
-- session (the session-grain models then rebuild in full anyway).
-- delete key session_key: the queue holds each session once, stamped with the newest
-- batch that queued it.
{{ config(
    order_by=['session_key'],
    unique_key='session_key',
) }}
with

session_events as (

    select * from {{ ref('int_session_events') }}
    where session_key is not null

),

capabilities as (

    select * from {{ ref('stg_livepeer__network_capabilities') }}
    where {{ in_new_batches() }}

),

payments as (

    select * from {{ ref('stg_livepeer__create_new_payment') }}

),

traces as (

    select * from {{ ref('stg_livepeer__stream_trace') }}

),

status as (

    select * from {{ ref('stg_livepeer__ai_stream_status') }}

),

batch_sessions as (

    select distinct
        session_key,
        stream_id,
        request_id
    from session_events
    where {{ in_new_batches() }}

),

batch_payment_requests as (

    -- request ids named by the batch's payments, directly or via sessionID
    select batch.request_id
    from payments as batch
    where
        {{ in_new_batches('batch.loaded_ms') }}
        and batch.request_id is not null

    union all

    select learned.request_id
    from payments as batch
    inner join payments as learned on batch.payment_session_id = learned.payment_session_id
    where
        {{ in_new_batches('batch.loaded_ms') }}
        and learned.request_id is not null

),

snapshot_wallets as (

    select
        local_address as wallet,
        min(snapshot_ms) as first_snapshot_ms,
        max(snapshot_ms) as last_snapshot_ms
    from capabilities
    where local_address is not null
    group by local_address

    union all

    select
        orchestrator_address as wallet,
        min(snapshot_ms) as first_snapshot_ms,
        max(snapshot_ms) as last_snapshot_ms
    from capabilities
    where orchestrator_address is not null
    group by orchestrator_address

),

observations as (

    select
        stream_id,
        request_id,
        orchestrator_wallet,
        event_ms
    from traces
    where orchestrator_wallet is not null

    union all

    select
        stream_id,
        request_id,
        orchestrator_wallet,
        event_ms
    from status
    where orchestrator_wallet is not null

),

snapshot_sessions as (

    select distinct {{ session_key('observations.stream_id', 'observations.request_id') }} as session_key
    from observations
    inner join snapshot_wallets on observations.orchestrator_wallet = snapshot_wallets.wallet
    where
        observations.event_ms >= snapshot_wallets.first_snapshot_ms - {{ var('attribution_ttl_ms') }}
        and observations.event_ms <= snapshot_wallets.last_snapshot_ms + {{ var('attribution_ttl_ms') }}

),

directly_affected as (

    select session_key from batch_sessions

    union all

    select session_events.session_key
    from session_events
    where session_events.request_id in (select batch_payment_requests.request_id from batch_payment_requests)

    union all

    select session_key from snapshot_sessions
    where session_key is not null

),

affected_ids as (

    -- the stream and request ids of every session queued above
    select distinct
        session_events.stream_id,
        session_events.request_id
    from session_events
    where session_events.session_key in (select directly_affected.session_key from directly_affected)

),

affected as (

    select session_key from directly_affected

    union all

    -- whatever queued a session queues every session of its stream and of its
    -- request (first session of a stream, payments linked by request id)
    select session_events.session_key
    from session_events
    where
        session_events.stream_id in (select affected_ids.stream_id from affected_ids)
        or session_events.request_id in (select affected_ids.request_id from affected_ids)

),

final as (

    select distinct
        session_key,
        {{ batch_loaded_ms() }} as loaded_ms
    from affected

)

select * from final
