-- Hourly network demand. Grain: window_start x gateway x region x pipeline x
-- model_id. Session counters count each session once, in the hour it started;
-- inference minutes are each session's active interval split across the
-- hours it overlaps; samples and fees count in their own hour. A row exists
-- for demand without any status samples (its performance counters are 0).
with

sessions as (

    select * from {{ ref('fct_workflow_sessions') }}

),

session_hours as (

    select * from {{ ref('int_session_hours') }}

),

samples as (

    select * from {{ ref('fct_status_samples') }}

),

payments as (

    select * from {{ ref('fct_payments') }}

),

session_rows as (

    select
        session_start_hour as window_start,
        gateway,
        region,
        pipeline,
        model_id,
        count(case when is_first_session_of_stream then 1 end) as total_streams,
        count(*) as total_sessions,
        0.0 as total_inference_minutes,
        {{ session_outcome_counts() }},
        count(case when is_known_session and has_missing_capacity then 1 end) as missing_capacity_count,
        0.0 as fee_payment_eth,
        0.0 as fee_face_value_eth,
        0 as status_samples,
        0.0 as output_fps_sum
    from sessions
    group by 1, 2, 3, 4, 5

),

minute_rows as (

    select
        session_hours.window_start as window_start,
        sessions.gateway as gateway,
        sessions.region as region,
        sessions.pipeline as pipeline,
        sessions.model_id as model_id,
        0 as total_streams,
        0 as total_sessions,
        sum(session_hours.active_minutes) as total_inference_minutes,
        0 as known_sessions,
        0 as startup_success_sessions,
        0 as excused_sessions,
        0 as unexcused_sessions,
        0 as swapped_sessions,
        0 as missing_capacity_count,
        0.0 as fee_payment_eth,
        0.0 as fee_face_value_eth,
        0 as status_samples,
        0.0 as output_fps_sum
    from session_hours
    inner join sessions on session_hours.session_key = sessions.session_key
    group by 1, 2, 3, 4, 5

),

sample_rows as (

    select
        window_start,
        gateway,
        region,
        pipeline,
        model_id,
        0 as total_streams,
        0 as total_sessions,
        0.0 as total_inference_minutes,
        0 as known_sessions,
        0 as startup_success_sessions,
        0 as excused_sessions,
        0 as unexcused_sessions,
        0 as swapped_sessions,
        0 as missing_capacity_count,
        0.0 as fee_payment_eth,
        0.0 as fee_face_value_eth,
        count(*) as status_samples,
        sum(output_fps) as output_fps_sum
    from samples
    group by 1, 2, 3, 4, 5

),

payment_rows as (

    select
        window_start,
        gateway,
        region,
        pipeline,
        model_id,
        0 as total_streams,
        0 as total_sessions,
        0.0 as total_inference_minutes,
        0 as known_sessions,
        0 as startup_success_sessions,
        0 as excused_sessions,
        0 as unexcused_sessions,
        0 as swapped_sessions,
        0 as missing_capacity_count,
        coalesce(sum(fee_payment_eth), 0) as fee_payment_eth,
        coalesce(sum(face_value_eth), 0) as fee_face_value_eth,
        0 as status_samples,
        0.0 as output_fps_sum
    from payments
    group by 1, 2, 3, 4, 5

),

combined as (

    select * from session_rows
    union all
    select * from minute_rows
    union all
    select * from sample_rows
    union all
    select * from payment_rows

),

additive as (

    select
        window_start,
        gateway,
        region,
        pipeline,
        model_id,
        sum(total_streams) as total_streams,
        sum(total_sessions) as total_sessions,
        sum(total_inference_minutes) as total_inference_minutes,
        sum(known_sessions) as known_sessions,
        sum(startup_success_sessions) as startup_success_sessions,
        sum(excused_sessions) as excused_sessions,
        sum(unexcused_sessions) as unexcused_sessions,
        sum(swapped_sessions) as swapped_sessions,
        sum(missing_capacity_count) as missing_capacity_count,
        sum(fee_payment_eth) as fee_payment_eth,
        sum(fee_face_value_eth) as fee_face_value_eth,
        sum(status_samples) as status_samples,
        sum(output_fps_sum) as output_fps_sum
    from combined
    group by 1, 2, 3, 4, 5

),

final as (

    select
        window_start,
        gateway,
        region,
        pipeline,
        model_id,
        cast(total_streams as bigint) as total_streams,
        cast(total_sessions as bigint) as total_sessions,
        total_inference_minutes,
        cast(known_sessions as bigint) as known_sessions,
        cast(startup_success_sessions as bigint) as startup_success_sessions,
        cast(excused_sessions as bigint) as excused_sessions,
        cast(unexcused_sessions as bigint) as unexcused_sessions,
        cast(swapped_sessions as bigint) as swapped_sessions,
        cast(missing_capacity_count as bigint) as missing_capacity_count,
        fee_payment_eth,
        fee_face_value_eth,
        cast(status_samples as bigint) as status_samples,
        output_fps_sum,
        {{ metric('avg_output_fps') }} as avg_output_fps,
        {{ metric('success_ratio') }} as success_ratio
    from additive

)

select * from final
