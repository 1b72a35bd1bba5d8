{#-
    The payload fields the warehouse reads, and how each line's payload is
    parsed ONCE into them (stg_livepeer__deliveries). One list, read by every
    engine: (column in stg_livepeer__deliveries, path inside `data`, kind).
    kind `text`: the value as text (a JSON string unquoted, any other value as
    its JSON text), typed in the family models; kind `json`: the JSON text of
    an array, expanded in the family model that owns it.
    The array payloads (network_capabilities, discovery_results) are kept
    whole as `payload_entries` (JSON text) and expanded in their family model.
-#}
{% macro payload_fields() -%}
    {{ return([
        ('data_type', 'type', 'text'),
        ('stream_id', 'stream_id', 'text'),
        ('request_id', 'request_id', 'text'),
        ('pipeline_id', 'pipeline_id', 'text'),
        ('pipeline', 'pipeline', 'text'),
        ('message', 'message', 'text'),
        ('state', 'state', 'text'),
        ('capability', 'capability', 'text'),
        ('data_timestamp', 'timestamp', 'text'),
        ('start_time', 'start_time', 'text'),
        ('orchestrator_address', 'orchestrator_info.address', 'text'),
        ('orchestrator_url', 'orchestrator_info.url', 'text'),
        ('inference_fps', 'inference_status.fps', 'text'),
        ('inference_last_error', 'inference_status.last_error', 'text'),
        ('inference_restart_count', 'inference_status.restart_count', 'text'),
        ('input_fps', 'input_status.fps', 'text'),
        ('bytes_received', 'stats.peer_conn_stats.BytesReceived', 'text'),
        ('bytes_sent', 'stats.peer_conn_stats.BytesSent', 'text'),
        ('conn_quality', 'stats.conn_quality', 'text'),
        ('track_stats', 'stats.track_stats', 'json'),
        ('payment_session_id', 'sessionID', 'text'),
        ('payment_request_id', 'requestID', 'text'),
        ('manifest_id', 'manifestID', 'text'),
        ('sender', 'sender', 'text'),
        ('recipient', 'recipient', 'text'),
        ('payment_orchestrator', 'orchestrator', 'text'),
        ('face_value', 'faceValue', 'text'),
        ('win_prob', 'winProb', 'text'),
        ('num_tickets', 'numTickets', 'text'),
        ('price', 'price', 'text'),
    ]) }}
{%- endmacro %}


{#- The fields as a tree of dicts (path parts -> kind), for the engine's parse. -#}
{% macro payload_tree() -%}
    {%- set tree = {} -%}
    {%- for column, path, kind in payload_fields() -%}
        {%- set parts = path.split('.') -%}
        {%- set ns = namespace(node=tree) -%}
        {%- for part in parts[:-1] -%}
            {%- if part not in ns.node -%}
                {%- do ns.node.update({part: {}}) -%}
            {%- endif -%}
            {%- set ns.node = ns.node[part] -%}
        {%- endfor -%}
        {%- do ns.node.update({parts[-1]: kind}) -%}
    {%- endfor -%}
    {{ return(tree) }}
{%- endmacro %}


{#-
    The object payload parsed once into a struct (DuckDB) / named tuple
    (ClickHouse) of the payload_fields() tree; `payload_field(parsed, column)`
    reads one field back as a column.
-#}
{% macro parse_payload_object(payload_expr) -%}
    {{ return(adapter.dispatch('parse_payload_object', 'livepeer')(payload_expr)) }}
{%- endmacro %}

{#- DuckDB: NULL when the text is not valid JSON (try). -#}
{% macro duckdb__parse_payload_object(payload_expr) -%}
    try(json_transform({{ payload_expr }}, '{{ duckdb_json_structure(payload_tree()) }}'))
{%- endmacro %}

{#- ClickHouse: NULL when the text is not valid JSON. -#}
{% macro clickhouse__parse_payload_object(payload_expr) -%}
    if(
        isValidJSON(ifNull({{ payload_expr }}, '')) = 1,
        JSONExtract(ifNull({{ payload_expr }}, ''), '{{ clickhouse_json_type(payload_tree()) }}'),
        null
    )
{%- endmacro %}

{% macro duckdb_json_structure(node) -%}
    {%- if node is mapping -%}
        {"{%- for key, child in node.items() -%}{{ key }}":{{ duckdb_json_structure(child) }}{{ ',"' if not loop.last }}{%- endfor -%}}
    {%- elif node == 'json' -%}
        "JSON"
    {%- else -%}
        "VARCHAR"
    {%- endif -%}
{%- endmacro %}

{% macro clickhouse_json_type(node) -%}
    {%- if node is mapping -%}
        Tuple({%- for key, child in node.items() -%}`{{ key }}` {{ clickhouse_json_type(child) }}{{ ', ' if not loop.last }}{%- endfor -%})
    {%- else -%}
        Nullable(String)
    {%- endif -%}
{%- endmacro %}


{#- One payload field of the parsed struct/tuple, by its column name in payload_fields(). -#}
{% macro payload_field(parsed_expr, column) -%}
    {%- for name, path, kind in payload_fields() if name == column -%}
        {{ return(adapter.dispatch('struct_path', 'livepeer')(parsed_expr, path)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('unknown payload field ' ~ column) }}
{%- endmacro %}

{% macro duckdb__struct_path(expr, path) -%}
    {{ expr }}{% for part in path.split('.') %}['{{ part }}']{% endfor %}
{%- endmacro %}

{% macro clickhouse__struct_path(expr, path) -%}
    {%- set ns = namespace(sql=expr) -%}
    {%- for part in path.split('.') -%}
        {%- set ns.sql = "tupleElement(" ~ ns.sql ~ ", '" ~ part ~ "')" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}


{#- The names of the payload columns of stg_livepeer__deliveries. -#}
{% macro payload_columns() -%}
    {{ return(payload_fields() | map(attribute=0) | list) }}
{%- endmacro %}


{#-
    The payload as JSON text: `data` as sent when it is an object or an array,
    unwrapped when it is a string holding JSON (real exports carry both).
-#}
{% macro payload_text_of(data_expr) -%}
    {{ return(adapter.dispatch('payload_text_of', 'livepeer')(data_expr)) }}
{%- endmacro %}

{% macro duckdb__payload_text_of(data_expr) -%}
    case
        -- a JSON string holding JSON: unwrap it (one cheap look at the first byte)
        when starts_with(ltrim(cast({{ data_expr }} as varchar)), '"')
            then try(json_extract_string(cast({{ data_expr }} as varchar), '$'))
        else cast({{ data_expr }} as varchar)
    end
{%- endmacro %}

{% macro clickhouse__payload_text_of(data_expr) -%}
    if(JSONType({{ data_expr }}) = 'String', JSONExtractString({{ data_expr }}), {{ data_expr }})
{%- endmacro %}


{#- The text is valid JSON. -#}
{% macro is_json(text_expr) -%}
    {{ return(adapter.dispatch('is_json', 'livepeer')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__is_json(text_expr) -%}
    json_valid({{ text_expr }})
{%- endmacro %}

{% macro clickhouse__is_json(text_expr) -%}
    (isValidJSON({{ text_expr }}) = 1)
{%- endmacro %}


{#- A 64-bit hash of several columns (NULLs included); equal inputs, equal hash. -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'livepeer')(columns)) }}
{%- endmacro %}

{% macro duckdb__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro clickhouse__row_hash(columns) -%}
    cityHash64(tuple({{ columns | join(', ') }}))
{%- endmacro %}


{#- Any value of the column in the group (all equal where it is used). -#}
{% macro any_value(column) -%}
    {{ return(adapter.dispatch('any_value', 'livepeer')(column)) }}
{%- endmacro %}

{% macro duckdb__any_value(column) -%}
    any_value({{ column }})
{%- endmacro %}

{% macro clickhouse__any_value(column) -%}
    any({{ column }})
{%- endmacro %}


{#-
    A text value read from the payload: trimmed, and '' is NULL (the same as a
    missing field or a JSON null).
-#}
{% macro text_value(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}

{#- A number sent as a JSON number or a numeric string; anything else is NULL. -#}
{% macro payload_number(expr) -%}
    {{ try_cast_as(text_value(expr), 'double') }}
{%- endmacro %}

{#- An integer (epoch ms, counters); a number written as a float is rounded; out of range is NULL. -#}
{% macro payload_bigint(expr) -%}
    {{ try_cast_as('round(' ~ payload_number(expr) ~ ')', 'bigint') }}
{%- endmacro %}


{#-
    One row per element of a JSON array held as text, each element parsed
    into the given fields (name -> path; a name ending in `_json` keeps that
    part as JSON text), as a whole SELECT over `from_relation`: its columns,
    plus `alias` (the element) and `index_alias` (1-based position). A row
    whose array is missing, empty or not an array is kept once, with a NULL
    element and index (a LEFT unnest).
-#}
{% macro unnest_json_array(from_relation, json_expr, alias, index_alias, fields) -%}
    {{ return(adapter.dispatch('unnest_json_array', 'livepeer')(from_relation, json_expr, alias, index_alias, fields)) }}
{%- endmacro %}

{% macro duckdb__unnest_json_array(from_relation, json_expr, alias, index_alias, fields) -%}
    {%- set parsed -%}
        case when starts_with(ltrim(cast({{ json_expr }} as varchar)), '[') then
            json_transform({{ json_expr }}, '[{{ duckdb_json_structure(array_element_tree(fields)) }}]')
        end
    {%- endset -%}
    select
        listed.* exclude (_items, _item_count),
        case when listed._item_count > 0 then listed._position end as {{ index_alias }}
    from (
        select
            items.*,
            unnest(items._items) as {{ alias }},
            generate_subscripts(items._items, 1) as _position
        from (
            select
                {{ from_relation }}.*,
                coalesce(len({{ parsed }}), 0) as _item_count,
                case when len({{ parsed }}) > 0 then {{ parsed }} else [null] end as _items
            from {{ from_relation }}
        ) as items
    ) as listed
{%- endmacro %}

{% macro clickhouse__unnest_json_array(from_relation, json_expr, alias, index_alias, fields) -%}
    {%- set parsed = "JSONExtract(ifNull(" ~ json_expr ~ ", ''), 'Array(" ~ clickhouse_json_type(array_element_tree(fields)) ~ ")')" -%}
    select
        {{ from_relation }}.*,
        {{ alias }},
        {{ index_alias }}
    from {{ from_relation }}
    left array join
        arrayMap(x -> toNullable(x), {{ parsed }}) as {{ alias }},
        arrayMap(x -> toNullable(toInt64(x)), arrayEnumerate({{ parsed }})) as {{ index_alias }}
{%- endmacro %}

{% macro array_element_tree(fields) -%}
    {%- set tree = {} -%}
    {%- for name, path in fields.items() -%}
        {%- set parts = path.split('.') -%}
        {%- set ns = namespace(node=tree) -%}
        {%- for part in parts[:-1] -%}
            {%- if part not in ns.node -%}
                {%- do ns.node.update({part: {}}) -%}
            {%- endif -%}
            {%- set ns.node = ns.node[part] -%}
        {%- endfor -%}
        {%- do ns.node.update({parts[-1]: 'json' if name.endswith('_json') else 'text'}) -%}
    {%- endfor -%}
    {{ return(tree) }}
{%- endmacro %}

{#- One field of an element produced by json_array_elements. -#}
{% macro element_field(alias, fields, name) -%}
    {{ return(adapter.dispatch('struct_path', 'livepeer')(alias, fields[name])) }}
{%- endmacro %}


{#-
    The events of one family that this model has not processed yet: the kept
    copy (stg_livepeer__events) of every id decided since this model's last
    successful run, read from the ledger with its parsed payload fields. A
    kept copy delivered before that run was processed then, and is not read
    again.
-#}
{% macro kept_copies(family) -%}
    select deliveries.*
    from {{ ref('stg_livepeer__deliveries') }} as deliveries
    where
        deliveries.event_type = '{{ family }}'
        and deliveries.quarantine_reason is null
        and {{ in_new_batches('deliveries.loaded_ms') }}
        and deliveries.delivery_key in (
            select events.kept_delivery_key
            from {{ ref('stg_livepeer__events') }} as events
            where
                events.event_type = '{{ family }}'
                and {{ in_new_batches('events.loaded_ms') }}
        )
{%- endmacro %}


{#- A copy's parsed payload fields as one JSON object (dq_quarantined_events). -#}
{% macro payload_as_json(relation_alias) -%}
    {{ return(adapter.dispatch('payload_as_json', 'livepeer')(relation_alias)) }}
{%- endmacro %}

{% macro duckdb__payload_as_json(relation_alias) -%}
    cast(to_json({
        'envelope_ms': {{ relation_alias }}.envelope_ms,
        {%- for column in payload_columns() + ['payload_entries'] %}
        '{{ column }}': {{ relation_alias }}.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    }) as varchar)
{%- endmacro %}

{% macro clickhouse__payload_as_json(relation_alias) -%}
    toJSONString(map(
        'envelope_ms', toString({{ relation_alias }}.envelope_ms),
        {%- for column in payload_columns() + ['payload_entries'] %}
        '{{ column }}', {{ relation_alias }}.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
