-- Per session: the first time each trace role was seen (docs/sessions.md),
-- and the count of confirmed swaps. Subtypes missing from the trace_subtypes
-- seed carry no role and are surfaced by dq_unmapped_trace_subtypes.
-- delete key session_key: every row of each recomputed session is replaced
-- (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key'],
    unique_key='session_key',
) }}
with

traces as (

    select * from {{ ref('stg_livepeer__stream_trace') }}
    where {{ in_affected_sessions(session_key('stream_id', 'request_id')) }}

),

trace_subtypes as (

    select * from {{ ref('trace_subtypes') }}

),

roled as (

    select
        {{ session_key('traces.stream_id', 'traces.request_id') }} as session_key,
        trace_subtypes.trace_role as trace_role,
        traces.event_ms as event_ms
    from traces
    inner join trace_subtypes on traces.trace_subtype = trace_subtypes.trace_subtype

),

final as (

    select
        session_key,
        min(case when trace_role = 'known_stream' then event_ms end) as stream_request_ms,
        min(case when trace_role = 'e2e_start' then event_ms end) as first_ingest_sent_ms,
        min(case when trace_role = 'e2e_end' then event_ms end) as runner_first_processed_ms,
        min(case when trace_role = 'first_output' then event_ms end) as first_processed_ms,
        min(case when trace_role = 'playable' then event_ms end) as playable_ms,
        min(case when trace_role = 'no_orchestrator' then event_ms end) as no_orchestrator_ms,
        min(case when trace_role = 'terminal' then event_ms end) as closed_ms,
        count(case when trace_role = 'swap' then 1 end) as confirmed_swap_count
    from roled
    where session_key is not null
    group by 1

)

select * from final
