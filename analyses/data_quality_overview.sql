-- Question: is anything wrong with the raw events behind the serving views?
--
-- One row per data-quality measure of the dq_* models. Any non-zero value
-- other than the delivered/distinct totals deserves a look:
--   dq_event_summary            redelivered envelopes (Kafka at-least-once;
--                               counted once) and envelopes without a timestamp
--   dq_unclassified_errors      error messages no error_taxonomy entry matches
--                               (treated as non-excusable)
--   dq_unmapped_trace_subtypes  trace subtypes missing from the trace_subtypes
--                               seed (they play no role in classification)
--   dq_events_without_session   events with neither stream_id nor request_id
-- Open the dq_* model itself for the detail rows.
--
-- Use: `dbt compile --select analyses/data_quality_overview.sql`, then run the
-- SQL under target/compiled/livepeer/analyses/.
with

event_summary as (

    select * from {{ ref('dq_event_summary') }}

),

unclassified_errors as (

    select * from {{ ref('dq_unclassified_errors') }}

),

unmapped_trace_subtypes as (

    select * from {{ ref('dq_unmapped_trace_subtypes') }}

),

events_without_session as (

    select * from {{ ref('dq_events_without_session') }}

),

event_totals as (

    select
        cast(coalesce(sum(delivered_count), 0) as bigint) as delivered_count,
        cast(coalesce(sum(distinct_event_count), 0) as bigint) as distinct_event_count,
        cast(coalesce(sum(duplicate_count), 0) as bigint) as duplicate_count,
        cast(coalesce(sum(missing_timestamp_count), 0) as bigint) as missing_timestamp_count
    from event_summary

),

measures as (

    select
        'dq_event_summary' as dq_model,
        'delivered_envelopes' as measure,
        delivered_count as measure_value
    from event_totals

    union all

    select
        'dq_event_summary' as dq_model,
        'distinct_events' as measure,
        distinct_event_count as measure_value
    from event_totals

    union all

    select
        'dq_event_summary' as dq_model,
        'duplicate_deliveries' as measure,
        duplicate_count as measure_value
    from event_totals

    union all

    select
        'dq_event_summary' as dq_model,
        'events_missing_timestamp' as measure,
        missing_timestamp_count as measure_value
    from event_totals

    union all

    select
        'dq_unclassified_errors' as dq_model,
        'distinct_messages' as measure,
        count(*) as measure_value
    from unclassified_errors

    union all

    select
        'dq_unclassified_errors' as dq_model,
        'error_events' as measure,
        cast(coalesce(sum(event_count), 0) as bigint) as measure_value
    from unclassified_errors

    union all

    select
        'dq_unmapped_trace_subtypes' as dq_model,
        'distinct_subtypes' as measure,
        count(*) as measure_value
    from unmapped_trace_subtypes

    union all

    select
        'dq_unmapped_trace_subtypes' as dq_model,
        'trace_events' as measure,
        cast(coalesce(sum(event_count), 0) as bigint) as measure_value
    from unmapped_trace_subtypes

    union all

    select
        'dq_events_without_session' as dq_model,
        'events' as measure,
        count(*) as measure_value
    from events_without_session

),

final as (

    select
        dq_model,
        measure,
        measure_value
    from measures

)

select * from final
order by dq_model, measure
