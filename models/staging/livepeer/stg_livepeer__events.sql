-- One row per distinct event id: the envelope parsed, the payload normalised
-- to JSON whichever way it was encoded, redeliveries collapsed.
with

source as (

    select * from {{ livepeer_events_relation() }}

),

renamed as (

    select
        trim(cast(id as varchar)) as event_id,
        lower(trim(cast(type as varchar))) as event_type,
        coalesce(trim(cast(gateway as varchar)), '') as gateway,
        {{ try_cast_as('round(' ~ try_cast_as('trim(cast(timestamp as varchar))', 'double') ~ ')', 'bigint') }}
            as envelope_ms,
        {{ json_payload('data') }} as payload,
        source_file
    from source

),

deduplicated as (

    select
        *,
        count(*) over (partition by event_id) as delivery_count
    from renamed
    where event_id is not null and event_id != ''
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
        source_file
    from deduplicated

)

select * from final
