"""Builds that exercise how LIVEPEER_EVENTS is resolved."""

from __future__ import annotations

import pytest

from _support import STREAM_2026_01_08_DIR, STREAM_2026_01_08_EVENTS, query, require_fixture

SERVING_VIEWS = ("v_api_gpu_metrics", "v_api_network_demand", "v_api_sla_compliance", "v_api_ingest_quality")

SESSION_COLUMNS = (
    "session_key, startup_outcome, is_swapped, status_samples, avg_output_fps, "
    "startup_latency_ms, e2e_latency_ms, prompt_to_playable_latency_ms, "
    "payment_count, fee_payment_eth"
)


@pytest.mark.parametrize("view", SERVING_VIEWS)
def test_default_build_serving_views_have_rows(build_warehouse, view):
    # LIVEPEER_EVENTS unset: the project's own fixture seed.
    db = build_warehouse(None)
    [(n,)] = query(db, f"select count(*) from {view}")
    assert n > 0, f"{view} is empty on the default (fixture seed) build"


def test_events_directory_equals_events_file(build_warehouse):
    # The folder also holds README.md and event-log.json, which must be ignored.
    require_fixture(STREAM_2026_01_08_DIR)
    require_fixture(STREAM_2026_01_08_EVENTS)
    from_dir = query(
        build_warehouse(STREAM_2026_01_08_DIR),
        f"select {SESSION_COLUMNS} from fct_workflow_sessions order by session_key",
    )
    from_file = query(
        build_warehouse(STREAM_2026_01_08_EVENTS),
        f"select {SESSION_COLUMNS} from fct_workflow_sessions order by session_key",
    )
    assert len(from_dir) == 1
    assert from_dir[0][0] == "stream-o5s73x-mk5zc8fy|db936fab"
    # Floating-point sums may differ in the last bit with aggregation order.
    assert len(from_dir) == len(from_file)
    for dir_row, file_row in zip(from_dir, from_file):
        for dir_value, file_value in zip(dir_row, file_row):
            if isinstance(file_value, float):
                assert dir_value == pytest.approx(file_value, rel=1e-12)
            else:
                assert dir_value == file_value

    # Same envelopes read: nothing extra from README.md / event-log.json
    # (event-log.json holds the same 65 events wrapped in log records).
    delivered_sql = "select sum(delivered_lines) from dq_event_summary"
    assert query(build_warehouse(STREAM_2026_01_08_DIR), delivered_sql) == [(65,)]
    assert query(build_warehouse(STREAM_2026_01_08_EVENTS), delivered_sql) == [(65,)]
