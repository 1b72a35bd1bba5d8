-- Accepted events that carried something odd, kept and counted with a flag
-- (one row per event and flag). The odd value is left out of every metric;
-- the rest of the event counts as usual.
--   timestamp_in_seconds    envelope timestamp in seconds (converted to ms)
--   implausible_event_time  payload `timestamp` unreadable, before 2020 or in
--                           the future: the envelope time is used instead
--   invalid_fps             a status FPS reading negative, NaN, infinite or
--                           above max_plausible_fps (not counted)
--   implausible_start_time  a status `start_time` unreadable, before 2020 or in
--                           the future (no prompt-to-playable latency from it)
--   invalid_ingest_value    an ingest byte counter, packet counter, jitter,
--                           loss or RTT that is negative, NaN or not a number
--   missing_ingest_tracks   an ingest event without a track list (missing,
--                           empty or not an array): no packets, jitter or
--                           quality label from it (its bytes still count)
--   implausible_ingest_value  an ingest byte or packet counter above
--                           max_ingest_counter (2^53) or a jitter above
--                           max_plausible_jitter_ms: that value is not counted
--   invalid_face_value, invalid_win_prob, invalid_num_tickets
--                           a payment whose fee cannot be computed (missing or
--                           unreadable faceValue, winProb outside [0, 1],
--                           numTickets not a whole number >= 0): no fee counted
--   invalid_capability_price  a capability snapshot price that is not a
--                           number, negative, or per a unit of 0 pixels or
--                           fewer: no price from it
--   invalid_capacity_in_use  a snapshot's capacityInUse that is not a whole
--                           number >= 0: no capacity in use from it
--   incomplete_capability_entry  a snapshot GPU without orchestrator address,
--                           GPU id or model: not in the supply view
-- Unknown trace subtypes are listed in dq_unmapped_trace_subtypes.
-- a table rebuilt in full each run (no delete key); ClickHouse sorts it by its grain.
{{ config(
    order_by=['event_id', 'flag'],
) }}
with

events as (

    select * from {{ ref('stg_livepeer__events') }}

),

traces as (

    select * from {{ ref('stg_livepeer__stream_trace') }}

),

status as (

    select * from {{ ref('stg_livepeer__ai_stream_status') }}

),

stream_events as (

    select * from {{ ref('stg_livepeer__ai_stream_events') }}

),

ingest as (

    select * from {{ ref('stg_livepeer__stream_ingest_metrics') }}

),

payments as (

    select * from {{ ref('stg_livepeer__create_new_payment') }}

),

capability_prices as (

    select * from {{ ref('stg_livepeer__capability_prices') }}

),

capability_models as (

    select * from {{ ref('stg_livepeer__capability_models') }}

),

gpu_supply as (

    select * from {{ ref('fct_gpu_supply') }}

),

flags as (

    select
        event_id,
        event_type,
        'timestamp_in_seconds' as flag
    from events
    where is_timestamp_in_seconds

    union all

    select
        event_id,
        'stream_trace' as event_type,
        'implausible_event_time' as flag
    from traces
    where has_implausible_event_time

    union all

    select
        event_id,
        'ai_stream_status' as event_type,
        'implausible_event_time' as flag
    from status
    where has_implausible_event_time

    union all

    select
        event_id,
        'ai_stream_events' as event_type,
        'implausible_event_time' as flag
    from stream_events
    where has_implausible_event_time

    union all

    select
        event_id,
        'stream_ingest_metrics' as event_type,
        'implausible_event_time' as flag
    from ingest
    where has_implausible_event_time

    union all

    select
        event_id,
        'ai_stream_status' as event_type,
        'invalid_fps' as flag
    from status
    where has_invalid_fps

    union all

    select
        event_id,
        'ai_stream_status' as event_type,
        'implausible_start_time' as flag
    from status
    where has_implausible_start_time

    union all

    select
        event_id,
        'stream_ingest_metrics' as event_type,
        'invalid_ingest_value' as flag
    from ingest
    where has_invalid_ingest_value

    union all

    select
        event_id,
        'stream_ingest_metrics' as event_type,
        'missing_ingest_tracks' as flag
    from ingest
    where track_index = 0

    union all

    select
        event_id,
        'stream_ingest_metrics' as event_type,
        'implausible_ingest_value' as flag
    from ingest
    where
        bytes_received_cumulative > {{ var('max_ingest_counter') }}
        or bytes_sent_cumulative > {{ var('max_ingest_counter') }}
        or track_packets_received > {{ var('max_ingest_counter') }}
        or track_packets_lost > {{ var('max_ingest_counter') }}
        or track_jitter > {{ var('max_plausible_jitter_ms') }}

    union all

    select
        event_id,
        'create_new_payment' as event_type,
        'invalid_face_value' as flag
    from payments
    where has_invalid_face_value

    union all

    select
        event_id,
        'create_new_payment' as event_type,
        'invalid_win_prob' as flag
    from payments
    where has_invalid_win_prob

    union all

    select
        event_id,
        'create_new_payment' as event_type,
        'invalid_num_tickets' as flag
    from payments
    where has_invalid_num_tickets

    union all

    select
        snapshot_event_id as event_id,
        'network_capabilities' as event_type,
        'invalid_capability_price' as flag
    from capability_prices
    where has_invalid_price

    union all

    select
        snapshot_event_id as event_id,
        'network_capabilities' as event_type,
        'invalid_capacity_in_use' as flag
    from capability_models
    where has_invalid_capacity_in_use

    union all

    select
        snapshot_event_id as event_id,
        'network_capabilities' as event_type,
        'incomplete_capability_entry' as flag
    from gpu_supply
    where supply_issue is not null

),

final as (

    -- an ingest event is one row per track: flagged once
    select distinct
        event_id,
        event_type,
        flag
    from flags

)

select * from final
