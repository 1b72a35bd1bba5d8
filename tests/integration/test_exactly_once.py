"""Exactly once across failures, end to end, through the user's own command.

Two histories of hourly runs per engine (tests/integration/_histories.py, where
each run, kill and failure is listed): files arriving in a folder, and rows
arriving in the raw table (the production source). After every run the
manifest of successful incremental runs shows what it recorded (a killed node
never records the killed run's batch); afterwards every mart equals a full
refresh of the same events, and a rerun changes nothing.

Also here: hourly runs equal one full build (what test_incremental.py checked:
both histories are hourly incremental runs), the file ledger (a run reads only
the files that are new or changed since a committed run read them), rule R4
of the recompute rules (a new capability snapshot re-queues exactly the
sessions it can re-attribute, docs/incremental.md; was
test_snapshot_requeue.py, now on both engines), and the run lock: a second run
while one holds the warehouse stops at once with one `error:` line and the
first finishes intact; another program holding the DuckDB file stops a run
with one `error:` line.
"""

from __future__ import annotations

import pytest

from _histories import GRAINS, assert_marts_equal, files_history, table_history
from _support import ENGINES, history_engines

pytestmark = pytest.mark.slow


@pytest.fixture
def files(shared, engine):
    return files_history(shared, engine)


@pytest.fixture
def table(shared, engine):
    return table_history(shared, engine)


# ------------------------------------------------------------------ files mode

@pytest.mark.parametrize("engine", history_engines("files"))
def test_files_mode_survives_kills_and_a_failing_model(engine, files):
    """The history itself checks each run as it goes (the manifest); here: its end state."""
    print("\n".join(files["log"]))
    for model in GRAINS:
        assert files["final"][model]["rows"], f"{model} is empty after the files history"
    assert_marts_equal(files["final"], files["rerun"], f"{engine}: rerunning the last slice changed the marts")


@pytest.mark.parametrize("engine", history_engines("files"))
def test_every_run_of_the_history_is_in_the_run_history(engine, files):
    """job_runs holds each run of the files history that could write to the warehouse: the five killed
    runs as started and never finished, each repaired by a later success; the nothing-new run; every
    success with its batch (one of the manifest's) and what it delivered. Not the refused starts (the
    other run holds the warehouse) nor the broken build, a `dbt build` run by hand, not the job (failed
    job runs: test_run_history.py, and test_prometheus.py through `make build`)."""
    runs = files["runs"]
    outcomes = [run["outcome"] for run in runs]
    assert outcomes.count("started") == 5, outcomes
    assert all(run["is_unfinished"] and run["is_repaired"] for run in runs if run["outcome"] == "started")
    assert "failed" not in outcomes, outcomes
    assert outcomes[-2:] == ["nothing_new", "success"], outcomes
    successes = [run for run in runs if run["outcome"] == "success"]
    assert len(successes) == 3, outcomes  # slice 1, slice 6, the forced rerun
    for run in successes:
        assert run["batch_ms"] in files["manifest_batches"], run
        assert run["lines_delivered"] == run["lines_accepted"] + run["lines_quarantined"], run
    assert successes[0]["lines_delivered"] > 0 and successes[0]["sessions_recomputed"] > 0, successes[0]


@pytest.mark.parametrize("engine", ENGINES)
def test_faulted_hourly_runs_of_either_source_equal_one_full_refresh(engine, files, table):
    """Both histories hold the same events: the end of the files history (kills, a failing model)
    and of the table history (kills, late arrivals) equal one full refresh of the raw table.
    Not in either history's test process group: it runs once both are made (conftest.py)."""
    assert_marts_equal(table["full"], files["final"], f"{engine}: faulted hourly runs of files vs a full refresh")
    assert_marts_equal(table["full"], table["incremental"], f"{engine}: hourly runs of the table vs a full refresh")


@pytest.mark.parametrize("engine", history_engines("files"))
def test_a_run_reads_only_new_or_changed_files(engine, files):
    # the killed run of slice 2 committed the ledger: the next run read slice 3 and the file that grew
    assert files["ledger_after_slice_3"] == files["slice_3_files"]
    assert not files["ledger_reread"], "the rerun read files again"


@pytest.mark.parametrize("engine", history_engines("files"))
def test_second_run_is_skipped_while_one_holds_the_warehouse(engine, files):
    # on a one-minute schedule an overlapping start is not a failure: one line, exit 0, nothing touched
    second, first = files["second_run"], files["first_run"]
    assert second["returncode"] == 0, f"the overlapping start failed:\n{second['output']}"
    assert not second["errors"], second["output"]
    assert len(second["skipped"]) == 1, f"expected one skipped: line, got {second['skipped']}:\n{second['output']}"
    assert "in use" in second["skipped"][0] and "another run" in second["skipped"][0], second["skipped"][0]
    assert "Traceback" not in second["output"], second["output"]
    assert "START" not in second["output"], f"the refused run started dbt:\n{second['output']}"
    # the first finished intact (its marts are checked with the whole history)
    assert any("ERROR=0" in line for line in first["done"]) and not first["traceback"], first


@pytest.mark.parametrize("engine", history_engines("files", ("duckdb",)))
def test_another_program_holding_the_duckdb_file_stops_a_run(files):
    held = files["file_held"]
    assert held["returncode"] != 0, f"make build ran while another program held the file:\n{held['output']}"
    assert len(held["errors"]) == 1, f"expected exactly one error: line, got {held['errors']}:\n{held['output']}"
    assert "in use by another program" in held["errors"][0], held["errors"][0]
    assert "Traceback" not in held["output"], held["output"]


# ------------------------------------------------------------------ table mode

@pytest.mark.parametrize("engine", history_engines("table"))
def test_table_mode_hourly_arrivals_with_late_events_and_kills(engine, table):
    """The history itself checks each run as it goes (the manifest); here: its end state."""
    print("\n".join(table["log"]))
    for model in GRAINS:
        assert table["full"][model]["rows"], f"{model} is empty after the full refresh"
    assert_marts_equal(table["incremental"], table["rerun"], f"{engine}: a rerun with nothing new changed the marts")
    assert_marts_equal(table["full"], table["incremental"], f"{engine}: hourly runs vs a full refresh of the table")


@pytest.mark.parametrize("engine", history_engines("table"))
def test_new_payment_requeues_the_session_its_session_id_names(engine, table):
    """Rule R3: a payment carrying only the sessionID (not the request id) arrives an hour after the
    session's other events (_histories.REQUEUE); it still queues the session, which gets it."""
    state = table["requeue"]
    p = "payment-stream-p"
    assert p in state["h0"]["queued"] and state["h0"]["payments"] == 1
    # h1 was killed before the session layer; h2 ran its events: the second payment, and nothing else of P
    assert p in state["h2"]["queued"], "a payment naming its session only by sessionID did not queue it"
    assert state["h2"]["payments"] == 2
    assert state["h4"]["payments"] == 2


@pytest.mark.parametrize("engine", history_engines("table"))
def test_new_snapshot_requeues_only_the_sessions_it_can_reattribute(engine, table):
    """Rule R4, hour by hour (the R4 files arrive in h0, h1 and h3; _histories.REQUEUE)."""
    state = table["requeue"]
    a, b = "requeue-stream-a", "requeue-stream-b"
    # h0: snapshots at T+5 and T+15, session A at T+10: A is queued and attributed to T+5 (nearest prior)
    queued = {hour: [stream for stream in state[hour]["queued"] if stream.startswith("requeue-")] for hour in state}
    assert queued["h0"] == [a]
    assert state["h0"]["attributed"] == {a: ["snapshot-t05"]}
    # h1 was killed before the session layer; h2 ran its events: a snapshot at T+60 and session B at
    # T+61. The snapshot lies after A's next snapshot (T+15), so it cannot change A: B is queued, A is not
    assert queued["h2"] == [b], "a snapshot after A's next snapshot re-queued A"
    assert state["h2"]["attributed"] == {a: ["snapshot-t05"], b: ["snapshot-t60"]}
    # h3: a late snapshot at T+8 is A's new nearest prior: A is queued (by the run killed after the queue) ...
    assert queued["h3"] == [a], "a new nearest prior snapshot did not re-queue A"
    # ... and the next run re-attributes it
    assert state["h4"]["attributed"] == {a: ["snapshot-t08"], b: ["snapshot-t60"]}
