"""One real AI stream from 2026-01-08 (livepeer_events_2026-01-08).

Expected values are computed by hand from the 65 raw events: 6 traces,
17 status samples, 6 payments (only the first carries requestID).
"""

from __future__ import annotations

import pytest

from _support import STREAM_2026_01_08_EVENTS, query, query_dicts, require_fixture

SESSION_KEY = "stream-o5s73x-mk5zc8fy|db936fab"


@pytest.fixture(scope="module")
def stream_db(build_warehouse):
    require_fixture(STREAM_2026_01_08_EVENTS)
    return build_warehouse(STREAM_2026_01_08_EVENTS)


@pytest.fixture(scope="module")
def session(stream_db) -> dict:
    rows = query_dicts(stream_db, "select * from fct_workflow_sessions")
    assert [r["session_key"] for r in rows] == [SESSION_KEY]
    return rows[0]


def test_exactly_one_session(stream_db):
    assert query(stream_db, "select session_key from fct_workflow_sessions") == [(SESSION_KEY,)]


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
        "from v_api_gpu_metrics where status_samples > 0",
    )
    assert sum(r["status_samples"] for r in rows) == 17
    for r in rows:
        assert r["avg_output_fps"] == pytest.approx(r["output_fps_sum"] / r["status_samples"])
    recomputed = sum(r["output_fps_sum"] for r in rows) / sum(r["status_samples"] for r in rows)
    assert recomputed == pytest.approx(session["avg_output_fps"], rel=1e-12)
