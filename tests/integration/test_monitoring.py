"""/metrics and /v1/runs on the fixture seed warehouse (DuckDB, a private copy): each warehouse number
equals the warehouse's own (read here with SQL, or from the API's own answer for a ratio, whose formula
lives in dbt_project.yml only); the API's request counters count; /metrics follows the token; the run
history shows a killed run as killed until a success repairs it; `make serve` beyond loopback without a
token warns in one line. docs/monitoring.md."""

from __future__ import annotations

import datetime as dt
import time

import duckdb
import pytest
from prometheus_client.parser import text_string_to_metric_families

from livepeer_analytics import run_history
from livepeer_analytics.api.__main__ import exposure_warning

from _support import Server, as_the_job


@pytest.fixture(scope="module")
def seed(matrix, tmp_path_factory):
    built = matrix("duckdb", "seed")
    env = built.copy(tmp_path_factory.mktemp("monitoring"))
    server = Server(env)
    yield env, server
    server.stop()


def metrics(server) -> dict:
    status, _, body = server.get("/metrics")
    assert status == 200, body
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body) for sample in family.samples}


def sql(env, query: str) -> list[tuple]:
    con = duckdb.connect(env["LIVEPEER_DUCKDB"], read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_metrics_equal_the_warehouse(seed):
    env, server = seed
    got = metrics(server)
    (newest_ms,) = sql(env, "select max(envelope_ms) from stg_livepeer__events")[0]
    assert got[("livepeer_newest_event_age_seconds", ())] == pytest.approx(time.time() - newest_ms / 1000, abs=120)
    (accepted,) = sql(env, "select sum(delivered_lines) - sum(quarantined_lines) from dq_event_summary")[0]
    assert got[("livepeer_accepted_lines_total", ())] == accepted
    reasons = dict(sql(env, "select quarantine_reason, count(*) from dq_quarantined_events group by 1"))
    assert {labels[0][1]: value for (name, labels), value in got.items()
            if name == "livepeer_quarantined_lines_total"} == reasons
    (unclassified,) = sql(env, "select count(*) from dq_unclassified_errors")[0]
    assert got[("livepeer_unclassified_error_messages", ())] == unclassified

    # the last complete hour: the demand view's hour before its newest (10:00 on the fixture day)
    hours = [row[0] for row in sql(env, "select distinct window_start from v_api_network_demand order by 1")]
    hour = hours[-2]
    assert hour == dt.datetime(2026, 3, 2, 10)
    start, end = hour.isoformat() + "Z", (hour + dt.timedelta(hours=1)).isoformat() + "Z"
    total = server.json("/v1/network/demand", {"start": start, "end": end, "granularity": "total", "group_by": ""})
    assert got[("livepeer_sessions", ())] == total["rows"][0]["total_sessions"]
    assert got[("livepeer_startup_success_ratio", ())] == pytest.approx(total["rows"][0]["success_ratio"])
    served, unresolved = sql(env, f"""
        select count(*), count(case when attribution_method = 'none' then 1 end) from fct_workflow_sessions
        where is_known_session and coalesce(excusal_reason, '') != 'no_orchestrator'
          and session_start_hour = '{hour}'""")[0]
    assert served > 0
    assert got[("livepeer_unattributed_session_share", ())] == pytest.approx(unresolved / served)

    # the matrix built the seed with `make build`: one successful run
    runs = dict(sql(env, f"select outcome, count(*) from ({run_history.latest_runs_sql()}) group by 1"))
    assert runs == {"success": 1}
    assert got[("livepeer_runs_total", (("outcome", "success"),))] == 1
    assert got[("livepeer_runs_total", (("outcome", "killed"),))] == 0
    (finished,) = sql(env, "select max(finished_at) from job_runs where outcome = 'success'")[0]
    assert got[("livepeer_last_successful_run_timestamp_seconds", ())] == pytest.approx(
        finished.replace(tzinfo=dt.UTC).timestamp())


def test_request_counters_count_each_request_by_route_and_code(seed):
    _, server = seed
    before = metrics(server)
    for _ in range(2):
        server.get("/v1/sla/compliance", {"granularity": "total"})
    server.get("/v1/sla/compliance", {"granularity": "fortnight"})
    server.get("/no/such/page")
    after = metrics(server)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("livepeer_api_requests_total", endpoint="/v1/sla/compliance", code="200") == 2
    assert grew("livepeer_api_requests_total", endpoint="/v1/sla/compliance", code="400") == 1
    assert grew("livepeer_api_requests_total", endpoint="other", code="404") == 1
    assert grew("livepeer_api_request_duration_seconds_count", endpoint="/v1/sla/compliance") == 3


def test_metrics_follow_the_token(seed):
    env, _ = seed
    guarded = Server(env, LIVEPEER_API_TOKEN="s3cret")
    try:
        assert guarded.get("/metrics")[0] == 401
        status, _, body = guarded.get("/metrics", headers={"Authorization": "Bearer s3cret"})
        assert status == 200 and "livepeer_runs_total" in body
    finally:
        guarded.stop()




def test_a_killed_run_shows_until_a_success_repairs_it(seed, monkeypatch):
    env, server = seed
    monkeypatch.setenv("DBT_TARGET", "duckdb")
    monkeypatch.setenv("LIVEPEER_DUCKDB", env["LIVEPEER_DUCKDB"])
    with as_the_job():
        killed = run_history.RunHistory("fixtures")
        killed.start()  # ... and never finishes; then the lock is free again, as after a kill
    runs = server.json("/v1/runs", {"limit": 5})["runs"]
    assert [(r["state"], r["is_repaired"]) for r in runs[:2]] == [("killed", False), ("success", False)]
    assert runs[1]["lines_delivered"] == runs[1]["lines_accepted"] + runs[1]["lines_quarantined"] > 0
    got = metrics(server)
    assert got[("livepeer_unrepaired_killed_runs", ())] == 1
    assert got[("livepeer_runs_total", (("outcome", "killed"),))] == 1

    with as_the_job():
        repairing = run_history.RunHistory("fixtures")
        repairing.start()
        repairing.finish("success", {"nodes": 1.0}, 0)
    runs = server.json("/v1/runs", {"limit": 5})["runs"]
    assert [(r["state"], r["is_repaired"]) for r in runs[:2]] == [("success", False), ("killed", True)]
    assert metrics(server)[("livepeer_unrepaired_killed_runs", ())] == 0


@pytest.mark.parametrize(("host", "token", "warns"), [
    ("127.0.0.1", None, False), ("localhost", None, False), ("0.0.0.0", None, True),
    ("10.1.2.3", None, True), ("0.0.0.0", "s3cret", False),
])
def test_serving_beyond_loopback_without_a_token_warns(host, token, warns):
    warning = exposure_warning(host, token)
    assert (warning is not None) == warns
    if warns:
        assert warning.startswith("warning: ") and "\n" not in warning and "LIVEPEER_API_TOKEN" in warning
