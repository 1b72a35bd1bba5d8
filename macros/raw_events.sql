{#-
    Where the raw envelopes come from: one row per delivered line with the
    columns source_file, line_number, raw_line, load_error (a reason the line
    could not even be read as a JSON object, else NULL), arrival_ms (when the
    row landed in the raw table, epoch ms; NULL for files and the fixture
    seed), and the envelope fields id, type, timestamp, gateway, data.

    `LIVEPEER_SOURCE` chooses (default: `files` when `LIVEPEER_EVENTS` is set,
    else `fixtures`):
      fixtures  the project's own fixture events (seed fixture_streaming_events);
      files     the NDJSON named by LIVEPEER_EVENTS: a file, a directory (every
                *.ndjson / *.jsonl below it) or a glob. DuckDB reads the files
                directly; on ClickHouse `make run` first loads them into the
                `streaming_events` table (livepeer_analytics.load_events), which
                the models then read;
      table     the warehouse table `streaming_events` (source livepeer), as fed
                in production by Kafka.
-#}
{% macro livepeer_events_mode() -%}
    {%- set mode = env_var('LIVEPEER_SOURCE', '') | trim | lower -%}
    {%- if mode == '' -%}
        {%- set mode = 'files' if (env_var('LIVEPEER_EVENTS', '') | trim) else 'fixtures' -%}
    {%- endif -%}
    {%- if mode not in ['fixtures', 'files', 'table'] -%}
        {{ exceptions.raise_compiler_error("LIVEPEER_SOURCE must be fixtures, files or table, not '" ~ mode ~ "'") }}
    {%- endif -%}
    {{ return(mode) }}
{%- endmacro %}


{% macro livepeer_events_relation() -%}
    {%- set mode = livepeer_events_mode() -%}
    {%- if mode == 'fixtures' -%}
        {%- set seed_rows -%}
            select
                {{ typed_null('varchar') }} as source_file,
                {{ typed_null('bigint') }} as source_file_size,
                {{ typed_null('bigint') }} as source_file_modified_us,
                {{ typed_null('bigint') }} as line_number,
                {{ typed_null('varchar') }} as raw_line,
                {{ typed_null('varchar') }} as load_error,
                {{ typed_null('bigint') }} as arrival_ms,
                id,
                type,
                timestamp,
                gateway,
                data
            from {{ ref('fixture_streaming_events') }}
        {%- endset -%}
        {{ collapsed_lines(seed_rows, envelope_line_hash()) }}
    {%- elif mode == 'table' -%}
        {{ livepeer_events_table() }}
    {%- else -%}
        {{ return(adapter.dispatch('livepeer_events_files', 'livepeer')(env_var('LIVEPEER_EVENTS') | trim)) }}
    {%- endif -%}
{%- endmacro %}


{#-
    The raw table. Read as the production table, a row is told apart by its
    arrival (`ingested_at`); read as a copy of files (ClickHouse, files mode:
    the loader replaces the table each run), the file and line are its
    identity and the arrival is left out, so reading the same file again
    rewrites the same deliveries.
-#}
{% macro livepeer_events_table(with_arrival=true) -%}
    {%- set table_rows -%}
        select
            source_file,
            nullif(source_file_size, 0) as source_file_size,
            nullif(source_file_modified_us, 0) as source_file_modified_us,
            nullif(line_number, 0) as line_number,
            nullif(raw_line, '') as raw_line,
            nullif(load_error, '') as load_error,
            {% if with_arrival -%}
                {{ timestamp_to_epoch_ms('ingested_at') }}
            {%- else -%}
                {{ typed_null('bigint') }}
            {%- endif %} as arrival_ms,
            id,
            type,
            timestamp,
            gateway,
            data
        from {{ source('livepeer', 'streaming_events') }}
    {%- endset -%}
    {{ collapsed_lines(table_rows, envelope_line_hash()) }}
{%- endmacro %}


{#- What tells two rows of the raw table (or seed) apart: the raw line when kept, else the envelope as received. -#}
{% macro envelope_line_hash() -%}
    {{ row_hash(["coalesce(raw_line, '')", 'id', 'type', 'timestamp', 'gateway', 'cast(data as varchar)']) }}
{%- endmacro %}


{#- The columns every raw relation yields (livepeer_events_relation). -#}
{% macro raw_line_columns() -%}
    {{ return(['source_file', 'source_file_size', 'source_file_modified_us', 'line_number', 'raw_line', 'load_error',
        'arrival_ms', 'id', 'type', 'timestamp', 'gateway', 'data']) }}
{%- endmacro %}


{#-
    Rows of `relation_sql` with `line_hash` (a hash of the line) and
    `line_count`: identical lines within one file (and arrival) collapse into
    one row counted by line_count, so a line's key (file, arrival, hash) is
    the same every time the file is read. Only the rare repeated lines are
    grouped; the others pass through an anti-join with that small set.
-#}
{% macro collapsed_lines(relation_sql, hash_expr) -%}
    (
        with

        hashed_lines as (

            select
                lines.*,
                {{ hash_expr }} as line_hash
            from ({{ relation_sql }}) as lines

        ),

        grouped_lines as (

            select
                *,
                {{ row_hash(['source_file', 'arrival_ms', 'line_hash']) }} as line_group
            from hashed_lines

        ),

        repeated_lines as (

            select
                line_group,
                count(*) as line_count
            from grouped_lines
            group by line_group
            having count(*) > 1

        )

        select
            {%- for column in raw_line_columns() %}
            {{ column }},
            {%- endfor %}
            line_hash,
            1 as line_count
        from grouped_lines
        where line_group not in (select repeated_lines.line_group from repeated_lines)

        union all

        select
            {%- for column in raw_line_columns() %}
            {{ any_value('grouped_lines.' ~ column) }} as {{ column }},
            {%- endfor %}
            {{ any_value('grouped_lines.line_hash') }} as line_hash,
            {{ any_value('repeated_lines.line_count') }} as line_count
        from grouped_lines
        inner join repeated_lines on grouped_lines.line_group = repeated_lines.line_group
        group by grouped_lines.line_group
    )
{%- endmacro %}


{#-
    DuckDB reads the files as lines (read_csv with one column, no quoting), so
    a line that is not JSON, not UTF-8 or too long is kept and quarantined
    instead of failing the run or vanishing. The model's pre-hook scans the
    files once with store_rejects, which fills two temp tables (on the same
    connection) with the lines the reader could not decode; the model then
    reads the good lines straight from the files and those rejected ones.

    Which files: every event file LIVEPEER_EVENTS names, except those the
    ledger already holds with the same size and modification time (a file
    already ingested and unchanged is not read again; a changed one is read
    again whole). See livepeer_event_files.
-#}
{% macro livepeer_files_pattern(events) -%}
    {%- set lowered = events | lower -%}
    {%- set is_file_or_glob = '*' in events or '?' in events or '[' in events
        or lowered.endswith('.ndjson') or lowered.endswith('.jsonl') or lowered.endswith('.json') -%}
    {{ return(events if is_file_or_glob else events.rstrip('/') ~ '/**/*.*') }}
{%- endmacro %}


{#-
    The event files this run reads (DuckDB files mode): rows (path, size in
    bytes, modification time in epoch microseconds), in path order. The
    ledger (this model, when it exists and the run is not a full refresh)
    records for each delivery the size and modification time of the file it
    was read from; a file whose path, size and time are all there was read
    in a run that committed, and is skipped. Because the record is written
    in the same transaction as the deliveries, a run killed before it
    commits leaves nothing recorded, and the next run reads those files.
-#}
{% macro livepeer_event_files() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set pattern = livepeer_files_pattern(env_var('LIVEPEER_EVENTS') | trim) -%}
    {%- set query -%}
        with

        listed as (

            select
                filename as path,
                size,
                epoch_us(last_modified) as modified_us
            from read_blob('{{ pattern | replace("'", "''") }}')
            where {{ livepeer_is_event_file('filename') }}

        )

        {%- if is_incremental() %},

        ingested as (

            select distinct
                source_file as path,
                source_file_size as size,
                source_file_modified_us as modified_us
            from {{ this }}

        )
        {%- endif %}

        select listed.path, listed.size, listed.modified_us
        from listed
        {%- if is_incremental() %}
        left join ingested
            on listed.path = ingested.path
            and listed.size = ingested.size
            and listed.modified_us = ingested.modified_us
        where ingested.path is null
        {%- endif %}
        order by listed.path
    {%- endset -%}
    {{ return(run_query(query).rows | list) }}
{%- endmacro %}


{#- A SQL list of the paths of `files` (livepeer_event_files). -#}
{% macro livepeer_paths_list(files) -%}
    [{% for file in files %}'{{ file[0] | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor %}]
{%- endmacro %}


{#- The same files as a relation (path, size, modified_us), to stamp each line with its file's identity. -#}
{% macro livepeer_files_relation(files) -%}
    (
        values
        {%- for file in files %}
            ('{{ file[0] | replace("'", "''") }}', {{ file[1] }}::bigint, {{ file[2] }}::bigint){{ ',' if not loop.last }}
        {%- endfor %}
    ) as files (path, size, modified_us)
{%- endmacro %}


{#- read_csv over the run's files, one VARCHAR column per line; `rejects` fills the reject tables. -#}
{% macro livepeer_read_lines(files, rejects=false) -%}
    read_csv(
        {{ livepeer_paths_list(files) }},
        columns = {'raw_line': 'varchar'},
        header = false,
        auto_detect = false,
        delim = '\x1e',
        quote = '',
        escape = '',
        new_line = '\n',
        max_line_size = {{ var('max_line_bytes') }},
        filename = true,
        ignore_errors = true
        {%- if rejects %},
        store_rejects = true,
        rejects_table = 'livepeer_raw_rejects',
        rejects_scan = 'livepeer_raw_reject_scans'
        {%- endif %}
    )
{%- endmacro %}


{#- Only files named like event files count when LIVEPEER_EVENTS is a directory. -#}
{% macro livepeer_is_event_file(filename_expr) -%}
    {%- set events = env_var('LIVEPEER_EVENTS', '') | trim -%}
    {%- if livepeer_files_pattern(events) != events -%}
        regexp_matches(lower({{ filename_expr }}), '\.(ndjson|jsonl)$')
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro livepeer_prepare_raw_lines() -%}
    {{ return(adapter.dispatch('livepeer_prepare_raw_lines', 'livepeer')()) }}
{%- endmacro %}

{% macro default__livepeer_prepare_raw_lines() -%}
    select 1
{%- endmacro %}

{% macro duckdb__livepeer_prepare_raw_lines() -%}
    {%- if livepeer_events_mode() == 'files' -%}
        drop table if exists livepeer_raw_rejects;
        drop table if exists livepeer_raw_reject_scans;
        {%- set files = livepeer_event_files() %}
        {%- if files | length == 0 %}
        select 1
        {%- else %}
        -- one scan of the files: it records the lines the reader cannot decode
        -- (store_rejects) and finds the rare identical lines within a file
        create or replace temp table livepeer_repeated_lines as
        select
            hash(filename, raw_line) as line_group,
            count(*) as line_count
        from {{ livepeer_read_lines(files, rejects=true) }}
        where {{ livepeer_is_line('raw_line') }}
        group by line_group
        having count(*) > 1
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- A line worth reading: not blank. -#}
{% macro livepeer_is_line(raw_line_expr) -%}
    not regexp_full_match(coalesce({{ raw_line_expr }}, ''), '\s*')
{%- endmacro %}


{% macro duckdb__livepeer_events_files(events) -%}
    {%- set files = livepeer_event_files() -%}
    {%- set raw_lines -%}
        -- every line once; identical lines within a file once, with their count
        select
            filename as source_file,
            raw_line,
            hash(raw_line) as line_hash,
            1 as line_count
        from {{ livepeer_read_lines(files) }}
        where
            {{ livepeer_is_line('raw_line') }}
            and hash(filename, raw_line) not in (select repeated.line_group from livepeer_repeated_lines as repeated)

        union all

        select
            any_value(lines.filename) as source_file,
            any_value(lines.raw_line) as raw_line,
            any_value(hash(lines.raw_line)) as line_hash,
            any_value(repeated.line_count) as line_count
        from {{ livepeer_read_lines(files) }} as lines
        inner join livepeer_repeated_lines as repeated on hash(lines.filename, lines.raw_line) = repeated.line_group
        where {{ livepeer_is_line('lines.raw_line') }}
        group by repeated.line_group
    {%- endset -%}
    (
        {%- if files | length == 0 %}
        select
            {{ typed_null('varchar') }} as source_file,
            {{ typed_null('bigint') }} as source_file_size,
            {{ typed_null('bigint') }} as source_file_modified_us,
            {{ typed_null('bigint') }} as line_number,
            {{ typed_null('varchar') }} as raw_line,
            {{ typed_null('bigint') }} as line_hash,
            {{ typed_null('bigint') }} as line_count,
            {{ typed_null('varchar') }} as load_error,
            {{ typed_null('bigint') }} as arrival_ms,
            {{ typed_null('varchar') }} as id,
            {{ typed_null('varchar') }} as type,
            {{ typed_null('varchar') }} as timestamp,
            {{ typed_null('varchar') }} as gateway,
            {{ typed_null('varchar') }} as data
        where false
        {%- else %}
        select
            parsed.source_file,
            files.size as source_file_size,
            files.modified_us as source_file_modified_us,
            {{ typed_null('bigint') }} as line_number,
            parsed.raw_line,
            parsed.line_hash,
            parsed.line_count,
            nullif(parsed.load_error, '') as load_error,
            {{ typed_null('bigint') }} as arrival_ms,
            parsed.id,
            parsed.type,
            parsed.timestamp,
            parsed.gateway,
            parsed.data
        -- each line parsed once into its envelope, as the loader does (macros/envelope.sql)
        from ({{ envelope_of_lines("(select *, '' as load_error from (" ~ raw_lines ~ ") as raw_lines)") }}) as parsed
        inner join {{ livepeer_files_relation(files) }} on parsed.source_file = files.path

        union all

        select
            scans.file_path as source_file,
            files.size as source_file_size,
            files.modified_us as source_file_modified_us,
            cast(rejects.line as bigint) as line_number,
            rejects.csv_line as raw_line,
            {{ row_hash(['rejects.csv_line', 'rejects.line']) }} as line_hash,
            1 as line_count,
            case rejects.error_type
                when 'INVALID ENCODING' then 'invalid_utf8'
                when 'LINE SIZE OVER MAXIMUM' then 'line_too_long'
                else 'unreadable_line'
            end as load_error,
            {{ typed_null('bigint') }} as arrival_ms,
            null as id,
            null as type,
            null as timestamp,
            null as gateway,
            null as data
        from livepeer_raw_rejects as rejects
        inner join livepeer_raw_reject_scans as scans
            on rejects.scan_id = scans.scan_id and rejects.file_id = scans.file_id
        inner join {{ livepeer_files_relation(files) }} on scans.file_path = files.path
        {%- endif %}
    )
{%- endmacro %}


{#- ClickHouse reads the table the loader filled from those files. -#}
{% macro clickhouse__livepeer_events_files(events) -%}
    {{ livepeer_events_table(with_arrival=false) }}
{%- endmacro %}


{#-
    DDL of the raw table (`dbt run-operation create_streaming_events_table`;
    the hourly job runs it itself when the table is missing or lacks a column):
    the Kafka envelope with `data` as text, plus where each row came from and
    when it ARRIVED (`ingested_at`, set by the table when a row is inserted):
    the watermark an hourly run reads by (docs/incremental.md)
    and the field source freshness checks. In production a Kafka engine table
    plus a materialized view, or a Kafka Connect sink, writes into it
    (docs/production-clickhouse.md); `livepeer_analytics.load_events` loads
    NDJSON files into it on either engine.

    Idempotent: a missing table is created; a table an older version created
    gets the columns it lacks (`alter table ... add column`), each with its
    default, so rows written before read as they did; a complete table is left
    alone (no DDL at all, so a job without ALTER rights runs on it). The
    statements are logged before the first runs (`livepeer raw table ddl: ...`):
    when one fails, the job's error line repeats what it could not do.
-#}
{% macro create_streaming_events_table() -%}
    {%- set relation = source('livepeer', 'streaming_events') -%}
    {%- set columns = streaming_events_columns() -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {%- if existing is none -%}
        {%- set statements = adapter.dispatch('streaming_events_create', 'livepeer')(relation, columns) -%}
    {%- else -%}
        {%- set present = adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list -%}
        {%- set statements = [] -%}
        {%- for column in columns if column.name not in present -%}
            {%- do statements.append('alter table ' ~ relation ~ ' add column if not exists '
                ~ column.name ~ ' ' ~ column.type
                ~ ('' if column.default is none else ' default ' ~ column.default)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for statement in statements -%}
        {{ log('livepeer raw table ddl: ' ~ (statement.split() | join(' ')), info=true) }}
    {%- endfor -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {%- if statements -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
    {{ log('streaming_events ready: ' ~ relation ~ (' (' ~ statements | length ~ ' statement(s))' if statements else ' (unchanged)'), info=true) }}
{%- endmacro %}


{#-
    The raw table's columns: name, type, and the default a row gets when its
    producer does not say (none for the envelope fields, which a producer
    always writes). Each column has a kind; its type and default per engine
    come from `streaming_events_types`.
-#}
{% macro streaming_events_columns() -%}
    {%- set types = adapter.dispatch('streaming_events_types', 'livepeer')() -%}
    {%- set columns = [] -%}
    {%- for name, kind, has_default in [
        ('id', 'text', false), ('type', 'label', false), ('timestamp', 'text', false),
        ('gateway', 'label', false), ('data', 'text', false), ('source_file', 'text', true),
        ('source_file_size', 'integer', true), ('source_file_modified_us', 'integer', true),
        ('line_number', 'integer', true), ('raw_line', 'text', true), ('load_error', 'text', true),
        ('ingested_at', 'arrival', true),
    ] -%}
        {%- do columns.append({'name': name, 'type': types[kind][0],
            'default': types[kind][1] if has_default else none}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- Per kind of raw column: (type, default). -#}
{% macro duckdb__streaming_events_types() -%}
    {{ return({'text': ('varchar', "''"), 'label': ('varchar', "''"), 'integer': ('bigint', '0'),
        'arrival': ('timestamptz', 'current_timestamp')}) }}
{%- endmacro %}

{% macro clickhouse__streaming_events_types() -%}
    {{ return({'text': ('String', "''"), 'label': ('LowCardinality(String)', "''"), 'integer': ('Int64', '0'),
        'arrival': ("DateTime64(3, 'UTC')", "now64(3, 'UTC')")}) }}
{%- endmacro %}

{% macro duckdb__streaming_events_create(relation, columns) -%}
    {%- set definitions = [] -%}
    {%- for column in columns -%}
        {%- do definitions.append(column.name ~ ' ' ~ column.type
            ~ ('' if column.default is none else ' not null default ' ~ column.default)) -%}
    {%- endfor -%}
    {{ return([
        'create schema if not exists ' ~ relation.schema,
        'create table if not exists ' ~ relation ~ ' (' ~ definitions | join(', ') ~ ')',
    ]) }}
{%- endmacro %}

{% macro clickhouse__streaming_events_create(relation, columns) -%}
    {%- set definitions = [] -%}
    {%- for column in columns -%}
        {%- do definitions.append(column.name ~ ' ' ~ column.type ~ ' not null'
            ~ ('' if column.default is none else ' default ' ~ column.default)) -%}
    {%- endfor -%}
    {{ return([
        'create database if not exists ' ~ relation.schema,
        'create table if not exists ' ~ relation ~ ' (' ~ definitions | join(', ')
            ~ ', index ingested_at_minmax ingested_at type minmax granularity 1)'
            ~ ' engine = MergeTree order by (type, timestamp, id)',
    ]) }}
{%- endmacro %}
