-- Question: is anything wrong with the raw events behind the serving views?
--
-- One row per data-quality measure of the dq_* models. Any non-zero value
-- other than the delivered/distinct totals deserves a look:
--   dq_event_summary            lines delivered, accepted, duplicated (Kafka
--                               at-least-once; counted once) and quarantined
--   dq_quarantined_events       lines that did not become events, by reason
--   dq_flagged_events           accepted events with a flag, by flag
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

quarantined_events as (

    select * from {{ ref('dq_quarantined_events') }}

),

flagged_events as (

    select * from {{ ref('dq_flagged_events') }}

),

event_totals as (

    select
        cast(coalesce(sum(delivered_lines), 0) as bigint) as delivered_lines,
        cast(coalesce(sum(accepted_events), 0) as bigint) as accepted_events,
        cast(coalesce(sum(duplicate_lines), 0) as bigint) as duplicate_lines,
        cast(coalesce(sum(quarantined_lines), 0) as bigint) as quarantined_lines
    from event_summary

),

measures as (

    select
        'dq_event_summary' as dq_model,
        'delivered_lines' as measure,
        delivered_lines as measure_value
    from event_totals

    union all

    select
        'dq_event_summary' as dq_model,
        'accepted_events' as measure,
        accepted_events as measure_value
    from event_totals

    union all

    select
        'dq_event_summary' as dq_model,
        'duplicate_lines' as measure,
        duplicate_lines as measure_value
    from event_totals

    union all

    select
        'dq_event_summary' as dq_model,
        'quarantined_lines' as measure,
        quarantined_lines as measure_value
    from event_totals

    union all

    select
        'dq_quarantined_events' as dq_model,
        'reason:' || quarantine_reason as measure,
        count(*) as measure_value
    from quarantined_events
    group by quarantine_reason

    union all

    select
        'dq_flagged_events' as dq_model,
        'flag:' || flag as measure,
        count(*) as measure_value
    from flagged_events
    group by flag

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
