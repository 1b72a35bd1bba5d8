-- Error messages that match no error_taxonomy entry. They count as
-- non-excusable in classification; add a taxonomy entry to classify them.
-- a table rebuilt in full each run (no delete key); ClickHouse sorts it by its grain.
{{ config(
    order_by=['message'],
) }}
with

errors as (

    select * from {{ ref('int_errors_classified') }}

),

final as (

    select
        coalesce(message, '') as message,
        count(*) as event_count,
        count(distinct session_key) as session_count,
        {{ epoch_ms_to_timestamp('min(event_ms)') }} as first_seen_at,
        {{ epoch_ms_to_timestamp('max(event_ms)') }} as last_seen_at
    from errors
    where not is_classified
    group by 1

)

select * from final
