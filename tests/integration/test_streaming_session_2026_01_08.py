"""One real AI stream from 2026-01-08 (livepeer_events_2026-01-08), in the build of the
real events on DuckDB (the `real` input of the build matrix: this stream and the prod
snapshot of 2026-02-24, one folder). The stream's rows are told apart by its event
ids and by its day.

Expected values are computed by hand from the 65 raw events: 6 traces,
17 status samples, 6 payments (only the first carries requestID).
"""

from __future__ import annotations

import json

import pytest

from _support import STREAM_2026_01_08_EVENTS, query, query_dicts, require_fixture

SESSION_KEY = "stream-o5s73x-mk5zc8fy|db936fab"
STREAM_DAY = "window_start >= timestamp '2026-01-08' and window_start < timestamp '2026-01-09'"


@pytest.fixture(scope="module")
def stream_db(matrix):
    require_fixture(STREAM_2026_01_08_EVENTS)
    return matrix("duckdb", "real").db_path


@pytest.fixture(scope="module")
def stream_event_ids() -> list[str]:
    lines = STREAM_2026_01_08_EVENTS.read_bytes().splitlines()
    ids = [json.loads(line)["id"] for line in lines if line.strip()]
    assert len(ids) == 65
    return ids


@pytest.fixture(scope="module")
def session(stream_db) -> dict:
    rows = query_dicts(stream_db, "select * from fct_workflow_sessions where session_key = ?", [SESSION_KEY])
    assert [r["session_key"] for r in rows] == [SESSION_KEY]
    return rows[0]


def test_exactly_one_session(stream_db, stream_event_ids):
    # every session-scoped event of the stream belongs to the one session, and it has a row
    keys = query(stream_db, "select distinct session_key from int_session_events where event_id in "
                            "(select unnest(?))", [stream_event_ids])
    assert keys == [(SESSION_KEY,)]
    assert query(stream_db, "select session_key from fct_workflow_sessions where session_key = ?",
                 [SESSION_KEY]) == [(SESSION_KEY,)]
    # and no other session starts on the stream's day
    assert query(stream_db, "select session_key from fct_workflow_sessions "
                            "where cast(session_start_at as date) = date '2026-01-08'") == [(SESSION_KEY,)]


def test_outcome_and_swap(session):
    assert session["startup_outcome"] == "success"
    assert session["excusal_reason"] is None
    assert session["is_swapped"] is False


def test_latencies(session):
    assert session["startup_latency_ms"] == 2655
    assert session["e2e_latency_ms"] == 105
    assert session["prompt_to_playable_latency_ms"] == 6435


def test_fps(session):
    assert session["status_samples"] == 17
    assert round(session["avg_output_fps"], 5) == 15.99995
    assert round(session["jitter_coeff_fps"], 4) == 0.1163


def test_fee_expected_value_includes_session_id_only_payments(session):
    # Six payments; five carry only sessionID and must still link.
    assert session["fee_payment_eth"] == pytest.approx(0.0000168, rel=1e-9)


def test_gpu_metrics_view_matches_session(stream_db, session):
    rows = query_dicts(
        stream_db,
        "select status_samples, output_fps_sum, avg_output_fps "
        f"from v_api_gpu_metrics where status_samples > 0 and {STREAM_DAY}",
    )
    assert sum(r["status_samples"] for r in rows) == 17
    for r in rows:
        assert r["avg_output_fps"] == pytest.approx(r["output_fps_sum"] / r["status_samples"])
    recomputed = sum(r["output_fps_sum"] for r in rows) / sum(r["status_samples"] for r in rows)
    assert recomputed == pytest.approx(session["avg_output_fps"], rel=1e-12)
