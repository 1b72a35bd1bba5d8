"""/metrics: Prometheus metrics of the warehouse, the job's runs and the API itself (docs/monitoring.md).

The warehouse's numbers are read with a few small queries once per warehouse generation (the same
marker the answer cache uses: a new build, a new generation) and kept, so a scrape costs a lookup and
never competes with the data endpoints. The API's own request counters and latency histogram are
kept in memory by a middleware (one registry per app). Labels are low-cardinality: outcome,
quarantine reason, endpoint (the route's path, or `other`) and status code.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from livepeer_analytics import run_history
from livepeer_analytics.api import query as q
from livepeer_analytics.api.service import Service
from livepeer_analytics.api.views import NETWORK_DEMAND
from livepeer_analytics.warehouse import run_lock_held

RUN_OUTCOMES = ("success", "failed", "nothing_new", "killed")
disable_created_metrics()  # no *_created series: one series per counter


def _sql(relation: str) -> dict[str, str]:
    """Name -> query of every warehouse number /metrics exposes (portable SQL, both engines)."""
    runs = f"({run_history.latest_runs_sql(relation)}) as runs"
    # the last complete hour: the newest hour of the demand view before its newest (which may still fill)
    last_hour = ("(select max(window_start) from v_api_network_demand where window_start < "
                 "(select max(window_start) from v_api_network_demand))")
    success = q.over_sums(NETWORK_DEMAND, NETWORK_DEMAND.derived["success_ratio"], "sum({})")
    return {
        "events": "select max(envelope_ms) as newest_ms from stg_livepeer__events",
        "quarantined": "select quarantine_reason as reason, count(*) as lines from dq_quarantined_events group by 1",
        "lines": "select sum(delivered_lines) as delivered, sum(quarantined_lines) as quarantined"
                 " from dq_event_summary",
        "unclassified": "select count(*) as messages from dq_unclassified_errors",
        "hour": f"select sum(total_sessions) as sessions, {success} as ratio from v_api_network_demand"
                f" where window_start = {last_hour}",
        "unattributed": "select count(*) as sessions, count(case when attribution_method = 'none' then 1 end)"
                        " as unattributed from fct_workflow_sessions where is_known_session"
                        " and coalesce(excusal_reason, '') != 'no_orchestrator'"
                        f" and session_start_hour = {last_hour}",
        "runs": f"select outcome, count(*) as runs from {runs} group by outcome",
        "unfinished": f"select started_at, is_repaired from {runs} where is_unfinished order by started_at",
        "newest_run": f"select run_id, outcome from {runs} order by started_at desc limit 1",
        "last_success": f"select max(finished_at) as at from {runs} where outcome = 'success'",
        "last_finished": f"select duration_s from {runs} where outcome in ('success', 'failed')"
                         " order by finished_at desc limit 1",
    }


def _epoch(value) -> float | None:
    """A UTC timestamp from the warehouse (naive) as unix seconds."""
    value = q.normalise(value)
    return None if value is None else value.replace(tzinfo=dt.UTC).timestamp()


class WarehouseCollector:
    """The warehouse's numbers, read once per warehouse generation."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.lock = threading.Lock()
        self.kept: tuple[object, dict] | None = None

    def read(self) -> dict:
        """The numbers of this generation; while a build holds the warehouse (its queries would fail), the
        numbers read before it, so the series never vanish for the length of a build."""
        with self.lock:
            if run_lock_held():
                return self.kept[1] if self.kept is not None else {}
            generation = self.service.backend().generation()
            if self.kept is None or self.kept[0] != generation:
                values = self._query()
                if all(value is None for value in values.values()):  # nothing could be read: what was before
                    return self.kept[1] if self.kept is not None else values
                self.kept = (generation, values)
            return self.kept[1]

    def _query(self) -> dict:
        values: dict = {}
        for name, sql in _sql("job_runs").items():  # the API's connection is in the models' schema
            try:
                values[name] = self.service.run([(sql, {})])[0]
            except Exception:  # noqa: BLE001 - a model or the run history not there (yet): that number is left out
                values[name] = None
        return values

    def collect(self):
        values = self.read()
        yield from self._freshness(values)
        yield from self._runs(values)
        yield from self._quality(values)
        yield from self._network(values)

    def _freshness(self, values):
        newest = (values.get("events") or [{}])[0].get("newest_ms")
        if newest is not None:
            yield GaugeMetricFamily("livepeer_newest_event_age_seconds",
                                    "Seconds since the newest accepted event (its envelope time)",
                                    value=max(0.0, time.time() - float(newest) / 1000))

    def _runs(self, values):
        if values.get("runs") is None:
            return
        counts = {row["outcome"]: int(row["runs"]) for row in values["runs"]}
        unfinished = values.get("unfinished") or []
        newest = (values.get("newest_run") or [{}])[0]
        # an unfinished run is killed unless it is the newest and a run holds the lock now (still running)
        running = 1 if newest.get("outcome") == "started" and run_lock_held() else 0
        killed = len(unfinished) - running
        unrepaired = sum(1 for row in unfinished if not row["is_repaired"]) - running
        total = CounterMetricFamily("livepeer_runs", "Job runs recorded in the run history, by outcome",
                                    labels=["outcome"])
        for outcome in RUN_OUTCOMES:
            total.add_metric([outcome], killed if outcome == "killed" else counts.get(outcome, 0))
        yield total
        yield GaugeMetricFamily("livepeer_unrepaired_killed_runs",
                                "Runs that never finished and that no successful run has followed",
                                value=max(0, unrepaired))
        last_success = (values.get("last_success") or [{}])[0].get("at")
        # 0 when runs are recorded but none succeeded: "no successful run" must be able to fire
        yield GaugeMetricFamily("livepeer_last_successful_run_timestamp_seconds",
                                "When the last successful run finished (unix time; 0: none yet)",
                                value=_epoch(last_success) if last_success is not None else 0.0)
        duration = (values.get("last_finished") or [{}])[0].get("duration_s")
        if duration is not None:
            yield GaugeMetricFamily("livepeer_run_duration_seconds",
                                    "Duration of the last run that started dbt (success or failed)",
                                    value=float(duration))

    def _quality(self, values):
        if values.get("quarantined") is not None:
            family = CounterMetricFamily("livepeer_quarantined_lines",
                                         "Delivered lines quarantined, by reason (dq_quarantined_events)",
                                         labels=["reason"])
            for row in values["quarantined"]:
                family.add_metric([row["reason"]], int(row["lines"]))
            yield family
        lines = (values.get("lines") or [{}])[0]
        if lines.get("delivered") is not None:
            yield CounterMetricFamily("livepeer_accepted_lines", "Delivered lines not quarantined (dq_event_summary)",
                                      value=int(lines["delivered"]) - int(lines["quarantined"] or 0))
        unclassified = (values.get("unclassified") or [{}])[0].get("messages")
        if unclassified is not None:
            yield GaugeMetricFamily("livepeer_unclassified_error_messages",
                                    "Distinct error messages the taxonomy does not know (dq_unclassified_errors)",
                                    value=int(unclassified))

    def _network(self, values):
        hour = (values.get("hour") or [{}])[0]
        if hour.get("sessions") is not None:
            yield GaugeMetricFamily("livepeer_sessions", "Sessions started in the last complete hour (network)",
                                    value=int(hour["sessions"]))
        if hour.get("ratio") is not None:
            yield GaugeMetricFamily("livepeer_startup_success_ratio",
                                    "Startup success ratio of the last complete hour (network)",
                                    value=float(hour["ratio"]))
        attributed = (values.get("unattributed") or [{}])[0]
        if attributed.get("sessions"):
            yield GaugeMetricFamily("livepeer_unattributed_session_share",
                                    "Share of the last complete hour's sessions served by an orchestrator that "
                                    "attribution could not resolve",
                                    value=int(attributed["unattributed"]) / int(attributed["sessions"]))


class ApiMetrics:
    """The API's own counters, in the app's registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter("livepeer_api_requests", "API requests by endpoint and status code",
                                ["endpoint", "code"], registry=registry)
        self.duration = Histogram("livepeer_api_request_duration_seconds", "API request duration by endpoint",
                                  ["endpoint"], registry=registry,
                                  buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))

    def observe(self, endpoint: str, code: int, seconds: float) -> None:
        self.requests.labels(endpoint, str(code)).inc()
        self.duration.labels(endpoint).observe(seconds)


class RequestMetrics:
    """Pure ASGI middleware: each request counted by route and status, and timed. (Starlette's
    `@app.middleware("http")` would stream every answer's body through a queue: 40 % of the throughput
    of large pages at 8 clients.)"""

    def __init__(self, app, api: ApiMetrics) -> None:
        self.app, self.api = app, api

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), [500]

        async def send_status(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            endpoint = getattr(scope.get("route"), "path", None) or "other"
            self.api.observe(endpoint, status[0], time.perf_counter() - started)


def add_metrics(app, service: Service) -> None:
    """/metrics, and the middleware that counts every request by its route."""
    registry = CollectorRegistry()
    registry.register(WarehouseCollector(service))
    app.add_middleware(RequestMetrics, api=ApiMetrics(registry))
    routes = APIRouter()

    @routes.get("/metrics", summary="Prometheus metrics (docs/monitoring.md)", include_in_schema=True)
    def metrics():
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(routes)
