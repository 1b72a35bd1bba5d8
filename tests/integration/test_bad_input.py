"""Bad input never breaks a run, never loses a valid event, never double counts.

The real fixture events are interleaved with one line of every kind of junk;
the marts must equal those of the clean file, and every line must be
accounted for: lines in = accepted + duplicates + quarantined, with the
expected reason codes. Odd but usable events are accepted and flagged.
Configuration mistakes give one clear line and a non-zero exit.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from _histories import files_history
from _matrix import ODD_IDS, ODD_SESSION
from _support import ENGINES, MART_GRAINS, REPO_ROOT, assert_tables_equal, history_engines, rows_of

MARTS = MART_GRAINS


def _totals(summary: dict) -> dict:
    return {name: sum(row[i] for row in summary["rows"]) for i, name in enumerate(summary["columns"])
            if name != "event_type"}


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_junk_changes_no_mart_and_every_line_is_accounted_for(matrix, engine):
    # the clean twin: the same real events read from their folder on DuckDB (on chdb this is also the
    # cross-engine comparison of test_cross_engine.py; both engines give the same marts)
    clean = matrix("duckdb", "real")
    dirty = matrix(engine, "dirty")
    expected = dirty.input["expected_outcomes"]
    clean_marts = clean.dump(*MARTS)
    dirty_marts = dirty.dump(*MARTS, "dq_event_summary", "dq_quarantined_events")

    for model, grain in MARTS.items():
        assert len(clean_marts[model]["rows"]) > 0
        assert_tables_equal(clean_marts[model], dirty_marts[model], grain)

    totals = _totals(dirty_marts["dq_event_summary"])
    lines_in = dirty.input["lines"]
    assert totals["delivered_lines"] == lines_in
    assert totals["accepted_events"] + totals["duplicate_lines"] + totals["quarantined_lines"] == lines_in
    assert totals["duplicate_lines"] == expected["duplicate"]
    assert totals["accepted_events"] == dirty.input["real_lines"]

    quarantined = dirty_marts["dq_quarantined_events"]
    reason = quarantined["columns"].index("quarantine_reason")
    raw = quarantined["columns"].index("raw_text")
    reasons = Counter(row[reason] for row in quarantined["rows"])
    assert reasons == Counter({k: v for k, v in expected.items() if k != "duplicate"})
    assert all(row[raw] for row in quarantined["rows"]), "every quarantined line keeps its raw text"


@pytest.mark.slow
def test_events_directory_equals_events_file(matrix):
    """A folder of events (with README.md, event-log.json, labels.csv and manifest.json beside them,
    which are not events) reads exactly its .ndjson lines: the `real` build delivered every line of
    the two event files and nothing else, and its marts equal those of the same lines read from one
    file (the `dirty` build, whose junk changes no mart: the test above)."""
    real = matrix("duckdb", "real")
    totals = _totals(real.dump("dq_event_summary")["dq_event_summary"])
    assert totals["delivered_lines"] == real.input["lines"] == 113 + 65
    assert totals["quarantined_lines"] == 0
    dirty_marts = matrix("duckdb", "dirty").dump(*MARTS)
    for model, grain in MARTS.items():
        assert_tables_equal(real.dump(model)[model], dirty_marts[model], grain)


@pytest.mark.slow
@pytest.mark.parametrize("engine", history_engines("files"))
def test_odd_but_usable_events_are_accepted_and_flagged(shared, engine):
    """The odd events (_matrix.odd_but_usable_events) arrive with the first slice of the files
    history (_histories.py); read after that run."""
    odd = files_history(shared, engine)["odd"]

    deliveries = rows_of(odd["deliveries"])
    assert sorted(row["event_id"] for row in deliveries) == sorted(ODD_IDS), "every odd event is delivered once"
    assert [row["quarantine_reason"] for row in deliveries] == [None] * len(ODD_IDS), "no odd event is quarantined"

    flags = odd["dq_flagged_events"]
    assert sorted((row[0], row[2]) for row in flags["rows"] if row[0] in ODD_IDS) == [
        ("o1", "timestamp_in_seconds"), ("o4", "invalid_fps"), ("o5", "invalid_fps"),
    ]
    assert [row[0] for row in odd["dq_unmapped_trace_subtypes"]["rows"]] == ["gateway_tried_something_new"]

    [session] = rows_of(odd["session"])
    assert session["session_key"] == ODD_SESSION
    assert session["session_start_at"] == "2026-02-24T18:50:00"  # the seconds timestamp, converted
    assert session["status_samples"] == 1  # only the valid reading counts
    assert session["avg_output_fps"] == 12.5
    assert rows_of(odd["messages"])[0]["message_length"] > 1_000_000


def _preflight(env_overrides: dict) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIVEPEER_", "DBT_"))}
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
