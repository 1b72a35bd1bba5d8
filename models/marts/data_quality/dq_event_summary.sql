-- One row per event family: how many envelopes were delivered, how many were
-- redeliveries of an id already seen, and how many distinct events remain.
with

events as (

    select * from {{ ref('stg_livepeer__events') }}

),

final as (

    select
        coalesce(event_type, '') as event_type,
        sum(delivery_count) as delivered_count,
        sum(delivery_count - 1) as duplicate_count,
        count(*) as distinct_event_count,
        count(case when envelope_ms is null then 1 end) as missing_timestamp_count
    from events
    group by 1

)

select * from final
