"""The raw table: the NDJSON loader (`python -m livepeer_analytics.load_events`,
what `make run` calls on ClickHouse; `--append` on any engine) against the rules
the raw table promises (docs/production-clickhouse.md, module docstring), and
`dbt source freshness` on its arrival time.

The loader's rules:

- one row per non-blank line, with its file, line number and text;
- a line that is a JSON object gives its envelope fields (id, type, timestamp,
  gateway, data) as text: a string as the string itself, null or missing as
  '', anything else as JSON text that parses back to the same value;
- a line that is valid JSON but not an object, or not JSON, gets load_error
  `not_json`; one that is not UTF-8 `invalid_utf8` (its text with U+FFFD);
  their envelope fields are ''.

The loader only splits lines; the engine parses them (ClickHouse JSON
functions on chdb, json_transform on DuckDB), so the rules are checked on both
engines against lines hypothesis generates: any JSON values (strings with any
non-surrogate character, 64-bit integers, finite doubles, nested objects and
arrays) in any envelope field, present or not, mixed with junk lines. Each
example is a folder of up to six files, loaded by one call per engine.

Freshness: on a small raw table of its own whose newest row arrived 20 min, 3 h,
7 h ago, `dbt source freshness` passes, warns and errors.

Upgrade: the job adds the columns a newer version needs to a raw table the
previous version created, before dbt reads it; where it cannot, one error line
gives the statements.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livepeer_analytics import load_events

from _histories import PYTHON, append_events, create_raw_table
from _matrix import odd_but_usable_events
from _support import (
    ENGINES,
    REPO_ROOT,
    dbt_command,
    dump_models,
    engine_env,
    make,
    output_of,
    query_engine,
    require_engine,
    run_command,
    strip_ansi,
)

ENVELOPE = ("id", "type", "timestamp", "gateway", "data")
FILES_PER_EXAMPLE = 6

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
# the text of a raw (non-JSON) line: one line, so no newline, and no carriage return at its end
# (the loader takes "\r\n" as a line end, as DuckDB's reader does)
line_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n\r"), max_size=12)
scalars = (st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
           | st.floats(allow_nan=False, allow_infinity=False) | text)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                      max_leaves=8)
envelopes = st.fixed_dictionaries({}, optional={**{field: values for field in ENVELOPE}, "extra": values})


@st.composite
def lines(draw) -> tuple[bytes, dict | str | None]:
    """(line, what it holds): an envelope dict, 'not_json', 'invalid_utf8' or None (blank)."""
    kind = draw(st.sampled_from(["envelope"] * 6 + ["not_object", "truncated", "garbage", "not_utf8", "blank"]))
    if kind == "envelope":
        envelope = draw(envelopes)
        separators = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
        return json.dumps(envelope, ensure_ascii=draw(st.booleans()), separators=separators).encode(), envelope
    if kind == "not_object":
        return json.dumps(draw(st.lists(values, max_size=3) | scalars)).encode(), "not_json"
    if kind == "truncated":
        whole = json.dumps(draw(envelopes.filter(bool)))
        return whole[: draw(st.integers(1, len(whole) - 1))].encode(), "not_json"
    if kind == "garbage":
        return ("not json " + draw(line_text)).encode(), "not_json"
    if kind == "not_utf8":
        return b"\xff\xfe" + draw(line_text).encode(), "invalid_utf8"
    return draw(st.sampled_from([b"", b"   ", b"\t"])), None


def same_json(loaded: str, value) -> bool:
    """`loaded` (a non-string field as the table holds it) is JSON text for `value`."""
    parsed = json.loads(loaded)
    if isinstance(value, bool) or isinstance(parsed, bool):
        return parsed is value
    if isinstance(value, float) or isinstance(parsed, float):
        return isinstance(parsed, (int, float)) and math.isclose(parsed, value, rel_tol=1e-15, abs_tol=0.0)
    if isinstance(value, list):
        return isinstance(parsed, list) and len(parsed) == len(value) and all(
            same_json(json.dumps(p), v) for p, v in zip(parsed, value))
    if isinstance(value, dict):
        return isinstance(parsed, dict) and parsed.keys() == value.keys() and all(
            same_json(json.dumps(parsed[k]), v) for k, v in value.items())
    return parsed == value


@pytest.fixture(scope="module")
def raw_tables(tmp_path_factory) -> dict:
    """An empty raw table on each engine, created by the user's command (dbt run-operation)."""
    tables = {}
    for engine in ("duckdb", "chdb"):
        require_engine(engine)
        env = engine_env(engine, tmp_path_factory.mktemp(f"loader_{engine}"))
        create_raw_table(engine, env)
        tables[engine] = env
    return tables


@pytest.mark.chdb
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(lines(), min_size=1, max_size=25), min_size=1, max_size=FILES_PER_EXAMPLE))
def test_every_line_lands_with_its_envelope_on_both_engines(raw_tables, tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("loader_events")
    expected = {}
    for index, drawn in enumerate(files):
        events = folder / f"events-{index}.ndjson"
        events.write_bytes(b"\n".join(line for line, _ in drawn) + b"\n")
        for number, (line, held) in enumerate(drawn, start=1):
            if held is not None:
                expected[(str(events), number)] = (line, held)

    for engine, env in raw_tables.items():
        proc = run_command([PYTHON, "-m", "livepeer_analytics.load_events"], {**env, "LIVEPEER_EVENTS": str(folder)})
        assert proc.returncode == 0, output_of(proc)
        table = dump_models(env, ["raw.streaming_events"])["raw.streaming_events"]
        rows = {(row["source_file"], row["line_number"]): row
                for row in (dict(zip(table["columns"], r)) for r in table["rows"])}
        assert sorted(rows) == sorted(expected), (engine, "one row per non-blank line")

        for (source_file, number), (line, held) in expected.items():
            row = rows[(source_file, number)]
            where = (engine, source_file, number, line[:200])
            assert row["raw_line"] == line.decode("utf-8", "replace"), where
            if not isinstance(held, dict):
                assert (row["load_error"], *(row[f] for f in ENVELOPE)) == (held, "", "", "", "", ""), where
                continue
            assert row["load_error"] == "", where
            for field in ENVELOPE:
                value = held.get(field)
                if value is None:
                    assert row[field] == "", (*where, field)
                elif isinstance(value, str):
                    assert row[field] == value, (*where, field)
                else:
                    assert same_json(row[field], value), (*where, field, row[field])


def test_the_loader_holds_no_envelope_sql_of_its_own():
    """How a line becomes envelope columns is macros/envelope.sql, which files mode uses too: the loader
    renders the engine's macro (plain Jinja) and names no JSON function itself."""
    source = (REPO_ROOT / "livepeer_analytics" / "load_events.py").read_text()
    named = [f for f in ("json_transform", "json_type", "JSONExtract", "isValidJSON", "JSONType") if f in source]
    assert not named, f"load_events.py names {named}: the envelope is defined in macros/envelope.sql"
    for engine in ("duckdb", "clickhouse"):
        assert "raw_line" in load_events.envelope_macro(f"{engine}__envelope_of_lines")
    files_mode = (REPO_ROOT / "macros" / "raw_events.sql").read_text()
    assert "envelope_of_lines(" in files_mode and "json_transform" not in files_mode


@pytest.mark.parametrize("engine", ENGINES)
def test_source_freshness_on_arrival_time(engine, tmp_path):
    """`dbt source freshness` on a small raw table of its own whose newest row arrived 20 min, 3 h, 7 h ago."""
    require_engine(engine)
    tiny = tmp_path / "tiny.ndjson"
    tiny.write_bytes(b"\n".join(odd_but_usable_events()[:5]) + b"\n")
    env = engine_env(engine, tmp_path / "warehouse", None, LIVEPEER_SOURCE="table")
    create_raw_table(engine, env)
    now = dt.datetime.now(dt.UTC)
    for age, verdict in [(dt.timedelta(minutes=20), "PASS"), (dt.timedelta(hours=3), "WARN"),
                         (dt.timedelta(hours=7), "ERROR")]:
        append_events(env, tiny, now - age, replace=True)
        proc = run_command(dbt_command(engine) + ["source", "freshness", "--target", engine], env)
        output = strip_ansi(proc.stdout + proc.stderr)
        result_lines = [line.strip() for line in output.splitlines()
                        if "freshness of livepeer.streaming_events" in line and "START" not in line]
        print(f"[{engine}] newest arrival {age} old: exit {proc.returncode}: {result_lines}")
        assert len(result_lines) == 1, f"{age} old: expected one freshness result:\n{output[-3000:]}"
        if verdict == "ERROR":
            assert proc.returncode != 0, f"{age} old: source freshness did not fail:\n{output[-3000:]}"
            assert "ERROR" in result_lines[0], result_lines[0]
        else:
            assert proc.returncode == 0, f"{age} old: exit {proc.returncode}:\n{output[-3000:]}"
            assert verdict in result_lines[0], result_lines[0]
            other = "WARN" if verdict == "PASS" else "PASS"
            assert other not in result_lines[0] and "ERROR" not in result_lines[0], result_lines[0]


# The raw table as the version before the file ledger (b1f4ec2) created it: no
# source_file_size, no source_file_modified_us.
PREVIOUS_DDL = {
    "duckdb": [
        "create schema if not exists raw",
        "create table raw.streaming_events (id varchar, type varchar, timestamp varchar, gateway varchar,"
        " data varchar, source_file varchar not null default '', line_number bigint not null default 0,"
        " raw_line varchar not null default '', load_error varchar not null default '',"
        " ingested_at timestamptz not null default current_timestamp)",
    ],
    "chdb": [
        "create database if not exists raw",
        "create table raw.streaming_events (id String not null, type LowCardinality(String) not null,"
        " timestamp String not null, gateway LowCardinality(String) not null, data String not null,"
        " source_file String not null default '', line_number Int64 not null default 0,"
        " raw_line String not null default '', load_error String not null default '',"
        " ingested_at DateTime64(3, 'UTC') not null default now64(3, 'UTC'),"
        " index ingested_at_minmax ingested_at type minmax granularity 1)"
        " engine = MergeTree order by (type, timestamp, id)",
    ],
}

# In a child process (chdb opens one data path per process): run stdin's statements, then insert its rows
# (id, type, timestamp, gateway, data) as a producer of that version did.
_WRITE = """
import json, os, sys
from livepeer_analytics.warehouse import clickhouse_client
job = json.load(sys.stdin)
columns = ["id", "type", "timestamp", "gateway", "data", "source_file"]
rows = [[*row, "kafka"] for row in job["rows"]]
if os.environ["DBT_TARGET"] == "duckdb":
    import duckdb
    con = duckdb.connect(os.environ["LIVEPEER_DUCKDB"])
    for statement in job["statements"]:
        con.execute(statement)
    if rows:
        con.executemany("insert into raw.streaming_events (" + ", ".join(columns) + ") values (?, ?, ?, ?, ?, ?)", rows)
    con.close()
else:
    client = clickhouse_client()
    for statement in job["statements"]:
        client.command(statement)
    if rows:
        client.insert("raw.streaming_events", rows, column_names=columns)
"""


def write_raw(env: dict, statements: list[str], rows: list[list[str]]) -> None:
    proc = run_command([PYTHON, "-c", _WRITE], env, input=json.dumps({"statements": statements, "rows": rows}))
    assert proc.returncode == 0, output_of(proc)


def envelope_rows(lines: list[bytes]) -> list[list[str]]:
    rows = []
    for line in lines:
        event = json.loads(line)
        data = event.get("data")
        rows.append([event["id"], event["type"], str(event["timestamp"]), event.get("gateway") or "",
                     data if isinstance(data, str) else json.dumps(data)])
    return rows


@pytest.mark.parametrize("engine", ENGINES)
def test_the_job_upgrades_a_raw_table_of_the_previous_version(engine, tmp_path):
    """Table mode on a raw table the previous version created (without the file ledger's columns), with
    rows in it: `make build` adds the columns before dbt reads the table, builds, and the next run finds
    nothing new."""
    require_engine(engine)
    lines = odd_but_usable_events()
    env = engine_env(engine, tmp_path / "warehouse", None, LIVEPEER_SOURCE="table")
    write_raw(env, PREVIOUS_DDL[engine], envelope_rows(lines))

    proc = make("build", env)
    output = strip_ansi(proc.stdout + proc.stderr)
    assert proc.returncode == 0, output[-5000:]
    ddl = [line.split("livepeer raw table ddl: ", 1)[1] for line in output.splitlines()
           if "livepeer raw table ddl: " in line]
    assert len(ddl) == 2 and all("add column if not exists" in statement for statement in ddl), ddl
    assert "source_file_size" in ddl[0] and "source_file_modified_us" in ddl[1], ddl
    result = query_engine(env, {
        "deliveries": "select count(*), sum(line_count) from stg_livepeer__deliveries",
        "events": "select count(distinct event_id) from stg_livepeer__events",
        "upgraded": "select count(*) from raw.streaming_events where source_file_size = 0"
                    " and source_file_modified_us = 0",
    })
    assert result["deliveries"]["rows"] == [[len(lines), len(lines)]], result
    assert result["events"]["rows"] == [[len({json.loads(line)["id"] for line in lines})]], result
    assert result["upgraded"]["rows"] == [[len(lines)]], "rows written before read with the defaults"

    again = make("build", env)
    assert again.returncode == 0 and "nothing new since the last successful run" in again.stdout, output_of(again)
    assert "livepeer raw table ddl" not in output_of(again)


def test_a_raw_table_the_job_cannot_alter_stops_it_with_the_statements_to_run(tmp_path):
    """The previous version's columns behind a view (DuckDB cannot add a column to it): one error line
    that names the missing columns and the statements that add them; dbt builds nothing."""
    env = engine_env("duckdb", tmp_path / "warehouse", None, LIVEPEER_SOURCE="table")
    previous = PREVIOUS_DDL["duckdb"][1].replace("create table raw.streaming_events", "create table raw.old_events")
    write_raw(env, [PREVIOUS_DDL["duckdb"][0], previous,
                    "create view raw.streaming_events as select * from raw.old_events"], [])
    proc = make("build", env)
    output = strip_ansi(proc.stdout + proc.stderr)
    assert proc.returncode == 2, output[-5000:]
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output[-5000:]
    assert "lacks column(s) source_file_size, source_file_modified_us" in errors[0], errors[0]
    assert errors[0].count("add column if not exists") == 2, errors[0]
    assert " START " not in output and "Traceback" not in output, output[-5000:]
