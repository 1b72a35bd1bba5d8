-- The queue of sessions to recompute. Each run appends (replaces, keyed on
-- session_key) every session whose inputs the events that arrived since this
-- model's own last successful run may have changed, stamped with the run's
-- batch (`loaded_ms`):
--   1. sessions with a session-scoped event among them, late ones included
--      (rule R1 in docs/incremental.md: each is then recomputed in full);
--   2. sessions whose request id a new payment names, directly or through
--      its sessionID (rule R3);
--   3. sessions with an observation that a new capability snapshot can
--      re-attribute: same wallet, and a time at which the new snapshot can
--      become the nearest prior or nearest later snapshot of its identity
--      (after the identity's previous snapshot, before its next one) within
--      the attribution TTL (rule R4);
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

by_wallet as (

    -- the identities attribution matches on (macro capability_entries_by_wallet)
    {{ capability_entries_by_wallet('capabilities') }}

),

snapshot_points as (

    -- every snapshot time of each identity, and whether this batch brought it
    select
        match_wallet,
        uri_key,
        model_key,
        address_key,
        snapshot_ms,
        max(case when {{ in_new_batches() }} then 1 else 0 end) as is_new
    from by_wallet
    group by match_wallet, uri_key, model_key, address_key, snapshot_ms

),

numbered_points as (

    select
        *,
        row_number() over (
            partition by match_wallet, uri_key, model_key, address_key
            order by snapshot_ms
        ) as point_number
    from snapshot_points

),

new_snapshot_windows as (

    -- a new snapshot can only become the nearest prior snapshot of an
    -- observation before the identity's next snapshot, and the nearest later
    -- one after its previous snapshot (int_observations_attributed keeps only
    -- those two per identity), and only within the TTL
    select
        new_point.match_wallet as wallet,
        greatest(
            coalesce(previous_point.snapshot_ms, new_point.snapshot_ms - {{ var('attribution_ttl_ms') }}),
            new_point.snapshot_ms - {{ var('attribution_ttl_ms') }}
        ) as from_ms,
        least(
            coalesce(next_point.snapshot_ms, new_point.snapshot_ms + {{ var('attribution_ttl_ms') }}),
            new_point.snapshot_ms + {{ var('attribution_ttl_ms') }}
        ) as to_ms
    from numbered_points as new_point
    left join numbered_points as previous_point
        on
            new_point.match_wallet = previous_point.match_wallet
            and new_point.uri_key = previous_point.uri_key
            and new_point.model_key = previous_point.model_key
            and new_point.address_key = previous_point.address_key
            and new_point.point_number - 1 = previous_point.point_number
    left join numbered_points as next_point
        on
            new_point.match_wallet = next_point.match_wallet
            and new_point.uri_key = next_point.uri_key
            and new_point.model_key = next_point.model_key
            and new_point.address_key = next_point.address_key
            and new_point.point_number + 1 = next_point.point_number
    where
        -- (none on a full build: batch_sessions queues every session already)
        new_point.is_new = 1
        {%- if last_batch_ms() is none %}
            and 1 = 0
        {%- endif %}

),

window_span as (

    select
        min(from_ms) as from_ms,
        max(to_ms) as to_ms
    from new_snapshot_windows

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
    inner join new_snapshot_windows on observations.orchestrator_wallet = new_snapshot_windows.wallet
    where
        -- the span of all windows first: a cheap filter before the join
        observations.event_ms >= (select window_span.from_ms from window_span)
        and observations.event_ms <= (select window_span.to_ms from window_span)
        and observations.event_ms >= new_snapshot_windows.from_ms
        and observations.event_ms <= new_snapshot_windows.to_ms

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
