-- Accepted events that carried something odd, kept and counted with a flag:
-- an envelope timestamp in seconds (converted to ms) or a status sample whose
-- FPS was negative, NaN or infinite (not counted in FPS metrics). Unknown
-- trace subtypes are listed in dq_unmapped_trace_subtypes.
with

events as (

    select * from {{ ref('stg_livepeer__events') }}

),

status as (

    select * from {{ ref('stg_livepeer__ai_stream_status') }}

),

final as (

    select
        event_id,
        event_type,
        'timestamp_in_seconds' as flag
    from events
    where timestamp_was_seconds

    union all

    select
        event_id,
        'ai_stream_status' as event_type,
        'invalid_fps' as flag
    from status
    where has_invalid_fps

)

select * from final
