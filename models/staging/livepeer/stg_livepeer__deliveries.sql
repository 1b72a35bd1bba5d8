-- One row per delivered envelope line: the envelope parsed and the payload
-- normalised to JSON whichever way it was encoded. Kafka delivers at least
-- once, so an id can appear several times; `copy_index` numbers the copies of
-- an id within one source file, which makes re-reading the same file
-- idempotent. Only this model reads the raw events.
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
        coalesce(source_file, '') as source_file
    from source

),

new_rows as (

    select *
    from renamed
    where
        event_id is not null and event_id != ''
        and {{ raw_events_watermark() }}

),

numbered as (

    select
        *,
        -- numbers the copies; which copy wins is decided in stg_livepeer__events
        row_number() over (
            partition by source_file, event_id
            order by envelope_ms
        ) as copy_index
    from new_rows

),

final as (

    select
        source_file || '|' || event_id || '|' || cast(copy_index as varchar) as delivery_key,
        source_file,
        copy_index,
        event_id,
        event_type,
        gateway,
        envelope_ms,
        payload,
        {{ batch_loaded_ms() }} as loaded_ms
    from numbered

)

select * from final
