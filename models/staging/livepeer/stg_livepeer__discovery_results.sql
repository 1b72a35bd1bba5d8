-- One row per discovery result (orchestrator probed by the gateway).
with

events as (

    select * from {{ ref('stg_livepeer__events') }}
    where event_type = 'discovery_results'
        and {{ in_new_batches() }}

),

results as (

    select
        events.event_id as event_id,
        events.gateway as gateway,
        events.envelope_ms as envelope_ms,
        result_json,
        result_index
    from events
    {{ json_array_rows('events.payload', 'result_json', 'result_index') }}
    where result_json is not null

),

final as (

    select
        event_id,
        result_index,
        gateway,
        lower({{ json_text('result_json', 'address') }}) as orchestrator_wallet,
        {{ json_text('result_json', 'url') }} as orchestrator_url,
        {{ json_number('result_json', 'latency_ms') }} as latency_ms,
        envelope_ms as event_ms,
        {{ epoch_ms_to_timestamp('envelope_ms') }} as event_at,
        {{ batch_loaded_ms() }} as loaded_ms
    from results

)

select * from final
