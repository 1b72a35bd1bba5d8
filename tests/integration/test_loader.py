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
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _histories import PYTHON, append_events, create_raw_table
from _matrix import odd_but_usable_events
from _support import ENGINES, dbt_command, dump_models, engine_env, output_of, require_engine, run_command, strip_ansi

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
