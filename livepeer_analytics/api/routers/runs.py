"""/v1/runs: the job's run history (job_runs, livepeer_analytics/run_history.py), newest first."""

from __future__ import annotations

import json

from fastapi import APIRouter
from fastapi import Query as Q
from fastapi.responses import Response

from livepeer_analytics import run_history
from livepeer_analytics.api import query as q
from livepeer_analytics.api.errors import ERROR_RESPONSES, ApiError
from livepeer_analytics.api.service import Service
from livepeer_analytics.warehouse import run_lock_held

COLUMNS = ("run_id", "outcome", "started_at", "finished_at", "target", "source_mode", "batch_ms", "lines_delivered",
           "lines_accepted", "lines_quarantined", "quarantined_by_reason", "sessions_recomputed", "nodes_failed",
           "duration_s", "phases", "message", "is_unfinished", "is_repaired")


def state(row: dict, newest: bool, running: bool) -> str:
    """What became of the run: its outcome, or `running` / `killed` for one that never finished."""
    if row["outcome"] != "started":
        return row["outcome"]
    return "running" if newest and running else "killed"


def router(service: Service) -> APIRouter:
    routes = APIRouter()

    @routes.get("/v1/runs", summary="The job's runs, newest first (run history)", responses=ERROR_RESPONSES)
    def runs(limit: int = Q(20, ge=1, le=1000, description="how many runs, newest first")):
        sql = (f"select {', '.join(COLUMNS)} from ({run_history.latest_runs_sql('job_runs')}) as runs"
               f" order by started_at desc limit {int(limit)}")
        try:
            rows = service.run([(sql, {})])[0]
        except ApiError:
            raise
        except Exception as exc:  # noqa: BLE001 - the table exists once a job run recorded itself
            if "job_runs" not in str(exc):
                raise
            rows = []
        running = run_lock_held()
        out = []
        for index, row in enumerate(rows):
            row = {k: q.normalise(v) for k, v in row.items()}
            row.update({k: q.iso(row[k]) for k in ("started_at", "finished_at") if row[k] is not None})
            row["state"] = state(row, index == 0, running)
            for key in ("is_unfinished", "is_repaired"):
                row[key] = bool(row[key])
            for key in ("phases", "quarantined_by_reason"):  # JSON objects, stored as text
                row[key] = None if row[key] is None else json.loads(row[key])
            out.append(row)
        payload = {"runs": out, "row_count": len(out), "lock_held": running}
        return Response(json.dumps(payload, separators=(",", ":"), default=str), media_type="application/json")

    return routes
