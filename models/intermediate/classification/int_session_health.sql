-- Health signals per session (docs/sessions.md). The signal count is
-- (status samples seen) + (first processed segment seen) + (playable seen),
-- each 0 or 1, against 3 expected: the ratio can never exceed 1.
-- loading_only and zero_output overlap; output_failed counts the session once.
-- delete key session_key: every row of each recomputed session is replaced
-- (docs/incremental.md, rule R1).
{{ config(
    order_by=['session_key'],
    unique_key='session_key',
) }}
with

sessions as (

    select * from {{ ref('int_sessions') }}
    where {{ in_affected_sessions() }}

),

milestones as (

    select * from {{ ref('int_session_trace_milestones') }}
    where {{ in_affected_sessions() }}

),

samples as (

    select * from {{ ref('int_status_samples') }}
    where {{ in_affected_sessions() }}

),

sample_summary as (

    select
        session_key,
        count(*) as sample_count,
        count(case when state = 'LOADING' then 1 end) as loading_sample_count,
        count(case when output_fps > 0 then 1 end) as positive_fps_sample_count,
        count(last_error) as samples_with_error_count
    from samples
    group by 1

),

flags as (

    select
        sessions.session_key as session_key,
        coalesce(sample_summary.sample_count, 0) as all_status_samples,
        coalesce(sample_summary.sample_count, 0) > 0
        and sample_summary.loading_sample_count = sample_summary.sample_count as is_loading_only,
        coalesce(sample_summary.sample_count, 0) > 0
        and sample_summary.positive_fps_sample_count = 0 as is_zero_output_fps,
        coalesce(sample_summary.samples_with_error_count, 0) > 0 as has_last_error,
        milestones.first_processed_ms is not null as has_first_processed,
        milestones.playable_ms is not null as has_playable
    from sessions
    left join sample_summary on sessions.session_key = sample_summary.session_key
    left join milestones on sessions.session_key = milestones.session_key

),

final as (

    select
        session_key,
        is_loading_only,
        is_zero_output_fps,
        is_loading_only or is_zero_output_fps as is_output_failed,
        has_last_error,
        (case when all_status_samples > 0 then 1 else 0 end)
        + (case when has_first_processed then 1 else 0 end)
        + (case when has_playable then 1 else 0 end) as health_signal_count,
        3 as health_expected_signal_count
    from flags

)

select * from final
