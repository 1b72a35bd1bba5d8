"""Labelled production sessions (prod_snapshot_20260224T210620Z), in the build of the
real events on DuckDB (the `real` input of the build matrix: this snapshot and the
2026-01-08 stream, one folder).

`labels.csv` maps each session_key to a scenario:
  scenario_1_*  clean startup success, no swap, output fps > 12
  scenario_2_*  no orchestrator available, then closed  -> excused
  scenario_3_*  startup success with an orchestrator swap
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from _support import PROD_EVENTS, PROD_LABELS, query, query_dicts, require_fixture

SESSION_COLUMNS = (
    "session_key, startup_outcome, excusal_reason, is_swapped, avg_output_fps, "
    "is_known_session, has_missing_capacity, session_start_hour, gateway, region, "
    "pipeline, model_id"
)


@pytest.fixture(scope="module")
def labels() -> dict[str, str]:
    require_fixture(PROD_LABELS)
    with PROD_LABELS.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, f"{PROD_LABELS} has no rows"
    assert {"session_key", "scenario", "source_file"} <= set(rows[0])
    return {row["session_key"]: row["scenario"] for row in rows}


@pytest.fixture(scope="module")
def prod_db(matrix, labels):
    require_fixture(PROD_EVENTS)
    return matrix("duckdb", "real").db_path


@pytest.fixture(scope="module")
def sessions(prod_db) -> dict[str, dict]:
    rows = query_dicts(prod_db, f"select {SESSION_COLUMNS} from fct_workflow_sessions")
    by_key = {row["session_key"]: row for row in rows}
    assert len(by_key) == len(rows), "session_key is not unique in fct_workflow_sessions"
    return by_key


def _keys(labels: dict[str, str], prefix: str) -> list[str]:
    keys = sorted(k for k, scenario in labels.items() if scenario.startswith(prefix))
    assert keys, f"labels.csv has no {prefix}* sessions"
    return keys


def test_every_labelled_session_exists(labels, sessions):
    missing = sorted(set(labels) - set(sessions))
    assert not missing, f"labelled sessions missing from fct_workflow_sessions: {missing}"


def test_scenario_1_clean_success(labels, sessions):
    for key in _keys(labels, "scenario_1_"):
        s = sessions[key]
        assert s["startup_outcome"] == "success", key
        assert s["is_swapped"] is False, key
        assert s["avg_output_fps"] is not None, key
        assert s["avg_output_fps"] > 12, (key, s["avg_output_fps"])


def test_scenario_2_excused_no_orchestrator(labels, sessions):
    for key in _keys(labels, "scenario_2_"):
        s = sessions[key]
        assert s["startup_outcome"] == "excused", (key, s["startup_outcome"])
        assert s["excusal_reason"] == "no_orchestrator", (key, s["excusal_reason"])


def test_scenario_2_counted_as_missing_capacity(labels, sessions, prod_db):
    groups = Counter(
        (
            sessions[key]["session_start_hour"],
            sessions[key]["gateway"],
            sessions[key]["region"],
            sessions[key]["pipeline"],
            sessions[key]["model_id"],
        )
        for key in _keys(labels, "scenario_2_")
    )
    for (hour, gateway, region, pipeline, model_id), n_sessions in groups.items():
        [(missing_capacity,)] = query(
            prod_db,
            """
            select coalesce(sum(missing_capacity_count), 0)
            from v_api_network_demand
            where window_start is not distinct from ?
              and gateway is not distinct from ?
              and region is not distinct from ?
              and pipeline is not distinct from ?
              and model_id is not distinct from ?
            """,
            [hour, gateway, region, pipeline, model_id],
        )
        assert missing_capacity >= n_sessions, (
            f"demand row ({hour}, {gateway!r}, {region!r}, {pipeline!r}, {model_id!r}) "
            f"has missing_capacity_count={missing_capacity}, "
            f"expected >= {n_sessions} scenario_2 sessions"
        )

    [(view_total,)] = query(
        prod_db, "select coalesce(sum(missing_capacity_count), 0) from v_api_network_demand"
    )
    [(no_orch_sessions,)] = query(
        prod_db,
        "select count(*) from fct_workflow_sessions "
        "where is_known_session and has_missing_capacity",
    )
    assert no_orch_sessions >= sum(groups.values())
    assert view_total == no_orch_sessions


def test_scenario_3_success_with_swap(labels, sessions):
    for key in _keys(labels, "scenario_3_"):
        s = sessions[key]
        assert s["startup_outcome"] == "success", (key, s["startup_outcome"])
        assert s["is_swapped"] is True, key
