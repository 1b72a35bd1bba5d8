"""Bad input never breaks a run, never loses a valid event, never double counts.

The real fixture events are interleaved with one line of every kind of junk;
the marts must equal those of the clean file, and every line must be
accounted for: lines in = accepted + duplicates + quarantined, with the
expected reason codes. Odd but usable events are accepted and flagged.
Configuration mistakes give one clear line and a non-zero exit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from _support import (
    MART_GRAINS,
    PROD_EVENTS,
    REPO_ROOT,
    STREAM_2026_01_08_EVENTS,
    assert_tables_equal,
    dump_models,
    duckdb_env,
    require_fixture,
    run_chdb_build,
    run_dbt_build,
)

MARTS = MART_GRAINS


def _envelope(**fields) -> bytes:
    return json.dumps(fields, separators=(",", ":")).encode()


def junk_lines(real_line: bytes) -> list[tuple[bytes, str | None]]:
    """(line, expected outcome): a quarantine reason, 'duplicate' or None (blank, not a line)."""
    real = json.loads(real_line)
    conflicting = dict(real, timestamp=str(int(real["timestamp"]) + 1), gateway="someone-else")
    trace = {"type": "gateway_receive_stream_request", "stream_id": "junk", "request_id": "junk"}
    return [
        (b"not json at all", "not_json"),
        (b'{"id": "t1", "type": "stream_trace", "timestamp": "17719', "not_json"),  # truncated
        (b"[1, 2, 3]", "not_json"),  # JSON, but not an envelope object
        (b"\x00\x01\x02 binary \xfe\xff junk", "invalid_utf8"),
        (b'{"id":"u1","type":"stream_trace","timestamp":"1771959000000","data":{"x":"\xff"}}', "invalid_utf8"),
        (_envelope(id="d1", type="stream_trace", timestamp="1771959000000", gateway="", data="{not json"),
         "payload_not_json"),
        (_envelope(id="d2", type="network_capabilities", timestamp="1771959000000", gateway="", data=trace),
         "payload_wrong_shape"),
        (_envelope(id="d3", type="stream_trace", timestamp="1771959000000", gateway="", data=[trace]),
         "payload_wrong_shape"),
        (_envelope(type="stream_trace", timestamp="1771959000000", gateway="", data=trace), "missing_id"),
        (_envelope(id="", type="stream_trace", timestamp="1771959000000", gateway="", data=trace), "missing_id"),
        (_envelope(id="m1", type="stream_trace", gateway="", data=trace), "bad_timestamp"),
        (_envelope(id="m2", type="stream_trace", timestamp="yesterday", gateway="", data=trace), "bad_timestamp"),
        (_envelope(id="m3", type="stream_trace", timestamp="1500000000000", gateway="", data=trace),
         "bad_timestamp"),  # 2017: before any plausible event
        (_envelope(id="m4", type="stream_trace", timestamp="NaN", gateway="", data=trace), "bad_timestamp"),
        (_envelope(id="m5", type="stream_trace", timestamp=1e308, gateway="", data=trace), "bad_timestamp"),
        (_envelope(id="f1", type="stream_trace", timestamp="4102444800000", gateway="", data=trace),
         "timestamp_in_future"),
        (_envelope(id="k1", type="mystery_event", timestamp="1771959000000", gateway="", data=trace),
         "unknown_event_type"),
        (json.dumps(conflicting, separators=(",", ":")).encode(), "conflicting_duplicate"),
        (b'{"id":"big","pad":"' + b"x" * 17_000_000 + b'"}', "line_too_long"),  # over max_line_bytes
        (real_line, "duplicate"),
        (b"", None),
        (b"   ", None),
    ]


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory):
    require_fixture(PROD_EVENTS)
    require_fixture(STREAM_2026_01_08_EVENTS)
    root = tmp_path_factory.mktemp("bad_input")
    clean_lines = PROD_EVENTS.read_bytes().splitlines() + STREAM_2026_01_08_EVENTS.read_bytes().splitlines()
    junk = junk_lines(clean_lines[5])
    mixed = []
    for index, line in enumerate(clean_lines):
        mixed.append(line)
        if index % 7 == 3 and junk:
            mixed.append(junk.pop(0)[0])
    mixed.extend(line for line, _ in junk)
    clean = root / "clean.ndjson"
    clean.write_bytes(b"\n".join(clean_lines) + b"\n")
    dirty = root / "corrupted.ndjson"
    dirty.write_bytes(b"\n".join(mixed) + b"\n")
    expected = Counter(outcome for _, outcome in junk_lines(clean_lines[5]) if outcome)
    return clean, dirty, len(clean_lines), expected


def _build(engine: str, events: Path, work_dir: Path) -> dict:
    if engine == "duckdb":
        return duckdb_env(run_dbt_build(events, work_dir))
    return run_chdb_build(events, work_dir)


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_junk_changes_no_mart_and_every_line_is_accounted_for(engine, corrupted, tmp_path_factory):
    clean, dirty, clean_count, expected = corrupted
    clean_marts = dump_models(_build(engine, clean, tmp_path_factory.mktemp(f"{engine}_clean")), list(MARTS))
    dirty_env = _build(engine, dirty, tmp_path_factory.mktemp(f"{engine}_dirty"))
    dirty_marts = dump_models(dirty_env, list(MARTS) + ["dq_event_summary", "dq_quarantined_events"])

    for model, grain in MARTS.items():
        assert len(clean_marts[model]["rows"]) > 0
        assert_tables_equal(clean_marts[model], dirty_marts[model], grain)

    summary = dirty_marts["dq_event_summary"]
    column = {name: i for i, name in enumerate(summary["columns"])}
    totals = {name: sum(row[column[name]] for row in summary["rows"]) for name in column if name != "event_type"}
    lines_in = sum(1 for line in dirty.read_bytes().splitlines() if line.strip())
    assert totals["delivered_lines"] == lines_in
    assert totals["accepted_events"] + totals["duplicate_lines"] + totals["quarantined_lines"] == lines_in
    assert totals["duplicate_lines"] == expected["duplicate"]
    assert totals["accepted_events"] == clean_count

    quarantined = dirty_marts["dq_quarantined_events"]
    reason = quarantined["columns"].index("quarantine_reason")
    raw = quarantined["columns"].index("raw_text")
    reasons = Counter(row[reason] for row in quarantined["rows"])
    assert reasons == Counter({k: v for k, v in expected.items() if k != "duplicate"})
    assert all(row[raw] for row in quarantined["rows"]), "every quarantined line keeps its raw text"


def _odd_but_usable_events() -> list[bytes]:
    base = 1771959000000
    ids = {"stream_id": "odd-stream", "request_id": "odd00001"}
    orchestrator = {"address": "0x" + "ab" * 20, "url": "https://odd.example.invalid:8935"}

    def status(event_id, at, fps):
        return _envelope(
            id=event_id, type="ai_stream_status", timestamp=str(at), gateway="",
            data=dict(ids, type="status", state="ONLINE", pipeline="streamdiffusion-sdxl", timestamp=at,
                      start_time=base, orchestrator_info=orchestrator, inference_status={"fps": fps}),
        )

    return [
        # an envelope timestamp in seconds: accepted, converted to ms, flagged
        _envelope(id="o1", type="stream_trace", timestamp=str(base // 1000), gateway="",
                  data=dict(ids, type="gateway_receive_stream_request")),
        # a trace subtype nobody knows yet: accepted, listed in dq_unmapped_trace_subtypes
        _envelope(id="o2", type="stream_trace", timestamp=str(base + 1000), gateway="",
                  data=dict(ids, type="gateway_tried_something_new", timestamp=base + 1000)),
        status("o3", base + 10_000, "12.5"),  # numeric field sent as a string: counted as 12.5
        status("o4", base + 20_000, -3.0),  # negative fps: accepted, flagged, not counted
        status("o5", base + 30_000, "NaN"),  # NaN fps: accepted, flagged, not counted
        # a 1 MB message: accepted
        _envelope(id="o6", type="ai_stream_events", timestamp=str(base + 40_000), gateway="",
                  data=dict(ids, type="error", message="user disconnected " + "x" * 1_048_576)),
    ]


def test_odd_but_usable_events_are_accepted_and_flagged(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("odd")
    events = work_dir / "odd.ndjson"
    events.write_bytes(b"\n".join(_odd_but_usable_events()) + b"\n")
    env = duckdb_env(run_dbt_build(events, work_dir))
    out = dump_models(env, ["dq_event_summary", "dq_flagged_events", "dq_unmapped_trace_subtypes",
                            "fct_workflow_sessions", "stg_livepeer__ai_stream_events"])

    summary = out["dq_event_summary"]
    accepted = sum(row[summary["columns"].index("accepted_events")] for row in summary["rows"])
    quarantined = sum(row[summary["columns"].index("quarantined_lines")] for row in summary["rows"])
    assert (accepted, quarantined) == (6, 0)

    flags = out["dq_flagged_events"]
    assert sorted((row[0], row[2]) for row in flags["rows"]) == [
        ("o1", "timestamp_in_seconds"), ("o4", "invalid_fps"), ("o5", "invalid_fps"),
    ]
    assert [row[0] for row in out["dq_unmapped_trace_subtypes"]["rows"]] == ["gateway_tried_something_new"]

    session = dict(zip(out["fct_workflow_sessions"]["columns"], out["fct_workflow_sessions"]["rows"][0]))
    assert session["session_key"] == "odd-stream|odd00001"
    assert session["session_start_at"] == "2026-02-24T18:50:00"  # the seconds timestamp, converted
    assert session["status_samples"] == 1  # only the valid reading counts
    assert session["avg_output_fps"] == 12.5
    messages = out["stg_livepeer__ai_stream_events"]
    assert len(messages["rows"][0][messages["columns"].index("message")]) > 1_000_000


def _preflight(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("LIVEPEER_", "DBT_"))}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-m", "livepeer_analytics.preflight"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize(
    "case",
    ["events_point_at_nothing", "unreadable_events", "wrong_target"],
)
def test_configuration_mistakes_give_one_clear_line(case, tmp_path):
    if case == "events_point_at_nothing":
        overrides = {"LIVEPEER_EVENTS": str(tmp_path / "missing.ndjson")}
        expected = "names nothing to read"
    elif case == "unreadable_events":
        (tmp_path / "a_directory.ndjson").mkdir()  # matched by the glob, cannot be read as a file
        overrides = {"LIVEPEER_EVENTS": str(tmp_path / "*.ndjson")}
        expected = "cannot read"
    else:
        overrides = {"DBT_TARGET": "postgres"}
        expected = "is not a target"
    result = _preflight(overrides)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_empty_input_builds_empty_views(tmp_path):
    events = tmp_path / "empty.ndjson"
    events.write_bytes(b"")
    assert _preflight({"LIVEPEER_EVENTS": str(events)}).returncode == 0
    env = duckdb_env(run_dbt_build(events, tmp_path))
    out = dump_models(env, ["v_api_gpu_metrics", "v_api_network_demand", "v_api_sla_compliance"])
    assert all(out[view]["rows"] == [] for view in out)
