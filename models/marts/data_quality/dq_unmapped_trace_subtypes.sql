-- Observed stream_trace subtypes missing from the trace_subtypes seed: they
-- carry no role in classification and must be added (or knowingly ignored).
-- a table rebuilt in full each run (no delete key); ClickHouse sorts it by its grain.
{{ config(
    order_by=['trace_subtype', 'trace_category'],
) }}
with

traces as (

    select * from {{ ref('stg_livepeer__stream_trace') }}

),

trace_subtypes as (

    select * from {{ ref('trace_subtypes') }}

),

final as (

    select
        coalesce(traces.trace_subtype, '') as trace_subtype,
        traces.trace_category as trace_category,
        count(*) as event_count,
        {{ epoch_ms_to_timestamp('min(traces.event_ms)') }} as first_seen_at,
        {{ epoch_ms_to_timestamp('max(traces.event_ms)') }} as last_seen_at
    from traces
    left join trace_subtypes on traces.trace_subtype = trace_subtypes.trace_subtype
    where trace_subtypes.trace_subtype is null
    group by 1, 2

)

select * from final
