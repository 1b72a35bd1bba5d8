-- One row per distinct event id: the copy kept is the one with the earliest
-- envelope timestamp (ties: payload text, then source file), whatever batch
-- its copies arrived in; `delivery_count` counts every copy delivered.
with

deliveries as (

    select * from {{ ref('stg_livepeer__deliveries') }}

),

{% if is_incremental() %}

batch_ids as (

    -- ids delivered in the latest batch: their winner is re-decided
    select distinct event_id
    from deliveries
    where {{ in_latest_batch(ref('stg_livepeer__deliveries')) }}

),
{% endif %}

candidates as (

    select deliveries.*
    from deliveries
    {%- if is_incremental() %}
        where deliveries.event_id in (select batch_ids.event_id from batch_ids)
    {%- endif %}

),

deduplicated as (

    select
        *,
        count(*) over (partition by event_id) as delivery_count
    from candidates
    qualify row_number() over (
            partition by event_id
            order by envelope_ms, cast(payload as varchar), source_file
        ) = 1

),

final as (

    select
        event_id,
        event_type,
        gateway,
        envelope_ms,
        {{ epoch_ms_to_timestamp('envelope_ms') }} as envelope_at,
        payload,
        delivery_count,
        nullif(source_file, '') as source_file,
        {{ batch_loaded_ms() }} as loaded_ms
    from deduplicated

)

select * from final
