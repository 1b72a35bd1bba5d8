-- Row accounting per event family: every delivered line ends as an accepted
-- event, a duplicate (an identical copy of an accepted event, counted once)
-- or a quarantined line (dq_quarantined_events), so
-- delivered_lines = accepted_events + duplicate_lines + quarantined_lines.
-- a table rebuilt in full each run (no delete key); ClickHouse sorts it by its grain.
{{ config(
    order_by=['event_type'],
) }}
with

deliveries as (

    select * from {{ ref('stg_livepeer__deliveries') }}

),

events as (

    select * from {{ ref('stg_livepeer__events') }}

),

quarantined as (

    select * from {{ ref('dq_quarantined_events') }}

),

delivered as (

    select
        coalesce(event_type, '') as event_type,
        sum(line_count) as delivered_lines
    from deliveries
    group by 1

),

accepted as (

    select
        event_type,
        count(*) as accepted_events,
        sum(delivery_count - 1) as duplicate_lines,
        count(case when is_timestamp_in_seconds then 1 end) as timestamp_in_seconds_events
    from events
    group by 1

),

rejected as (

    select
        coalesce(event_type, '') as event_type,
        sum(line_count) as quarantined_lines
    from quarantined
    group by 1

),

final as (

    select
        delivered.event_type as event_type,
        delivered.delivered_lines as delivered_lines,
        coalesce(accepted.accepted_events, 0) as accepted_events,
        coalesce(accepted.duplicate_lines, 0) as duplicate_lines,
        coalesce(rejected.quarantined_lines, 0) as quarantined_lines,
        coalesce(accepted.timestamp_in_seconds_events, 0) as timestamp_in_seconds_events
    from delivered
    left join accepted on delivered.event_type = accepted.event_type
    left join rejected on delivered.event_type = rejected.event_type

)

select * from final
