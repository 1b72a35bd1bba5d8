"""The run history: every job run records itself in the warehouse (table `job_runs`, beside the models).

A run writes a `started` row before it does any work and a second row with its outcome when it ends:
`success`, `failed` (dbt or the loader failed) or `nothing_new` (one row only: the run found nothing
to do and did not start dbt). A run killed in between keeps only its `started` row: the next run
prints one line naming it (`note: the run started ... never finished ...`) and, when it succeeds,
repairs what it left (docs/incremental.md); `is_repaired` in the history says so. A start skipped
because another run holds the warehouse (`skipped:`) cannot write to it and is not recorded.

The finished row says what the run did: its batch (`batch_ms`, as the models' `loaded_ms`), the
lines its batch delivered, accepted and quarantined (by reason), the sessions it recomputed, the dbt
nodes that failed, and its duration per phase (the job's `run:` line). The SQL is macros/job_runs.sql
(rendered with plain Jinja: no dbt start-up). Writing the history never fails a run: a warehouse the
job cannot write to gets one warning line.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import uuid

from livepeer_analytics import plain_macros
from livepeer_analytics.warehouse import Warehouse, clickhouse_database, target

COLUMNS = ["run_id", "event", "recorded_at", "started_at", "finished_at", "outcome", "target", "source_mode",
           "batch_ms", "lines_delivered", "lines_accepted", "lines_quarantined", "quarantined_by_reason",
           "sessions_recomputed", "nodes_failed", "duration_s", "phases", "message"]


def schema() -> str:
    """Where the models are: DuckDB's `main`, the ClickHouse database."""
    return "main" if target() == "duckdb" else clickhouse_database()


def relation() -> str:
    return f"{schema()}.job_runs"


def latest_runs_sql(table: str | None = None) -> str:
    """One row per run (its last event), with is_unfinished and is_repaired (of `table`, default relation())."""
    return plain_macros.render("job_runs.sql", "job_runs_latest", table or relation())


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class RunHistory:
    def __init__(self, source_mode: str, kind: str = "") -> None:
        self.run_id = uuid.uuid4().hex
        self.started_at = now()
        self.source_mode = source_mode
        self.kind = kind  # "nightly", or "" for the hourly job

    def _open(self) -> Warehouse:
        warehouse = Warehouse(in_database=False, writable=True)
        if warehouse.target != "duckdb":
            warehouse.execute(f"create database if not exists {schema()}")
        warehouse.execute(plain_macros.render("job_runs.sql", f"{plain_macros.engine_prefix()}__create_job_runs",
                                              relation()))
        return warehouse

    def _row(self, event: str, outcome: str, **values) -> list:
        row = {"run_id": self.run_id, "event": event, "recorded_at": now(), "started_at": self.started_at,
               "outcome": outcome, "target": target(), "source_mode": self.source_mode, "message": self.kind or None,
               **values}
        return [row.get(column) for column in COLUMNS]

    def _write(self, row: list, read_unfinished: bool = False) -> list[tuple]:
        """Append the row; with read_unfinished, first the earlier runs that never finished nor were repaired."""
        try:
            warehouse = self._open()
            try:
                unfinished = warehouse.rows(
                    f"select run_id, started_at from ({latest_runs_sql()}) as runs"
                    " where is_unfinished and not is_repaired order by started_at") if read_unfinished else []
                warehouse.insert(relation(), COLUMNS, [row])
            finally:
                warehouse.close()
        except Exception as exc:  # noqa: BLE001 - the history must never fail the run itself
            print(f"warning: could not record this run in {relation()}: {str(exc).splitlines()[0]}",
                  file=sys.stderr)
            return []
        return unfinished

    def start(self) -> None:
        """The `started` row; prints a note for each earlier run that never finished and is not repaired."""
        for _, started_at in self._write(self._row("started", "started"), read_unfinished=True):
            print(f"note: the run started at {started_at:%Y-%m-%d %H:%M:%S} UTC never finished (killed or "
                  "crashed); this run completes what it left", flush=True)

    def nothing_new(self) -> None:
        self._write(self._row("finished", "nothing_new", finished_at=now(), duration_s=0.0))

    def finish(self, outcome: str, phases: dict[str, float], nodes_failed: int | None) -> None:
        finished_at = now()
        details = batch_details() if outcome == "success" else {}
        self._write(self._row(
            "finished", outcome, finished_at=finished_at, nodes_failed=nodes_failed,
            duration_s=(finished_at - self.started_at).total_seconds(),
            phases=json.dumps({name: round(seconds, 3) for name, seconds in phases.items()}), **details))


def batch_details() -> dict:
    """What the run's batch (the newest in the manifest of incremental runs) delivered and recomputed."""
    try:
        warehouse = Warehouse()
    except Exception:  # noqa: BLE001 - no warehouse to read: the row says nothing of the batch
        return {}
    try:
        (batch,) = warehouse.rows(f"select max(batch_ms) from {schema()}.livepeer_incremental_manifest")[0]
        if batch is None:
            return {}
        reasons = dict(warehouse.rows(
            "select coalesce(quarantine_reason, ''), sum(line_count) from stg_livepeer__deliveries"
            f" where loaded_ms = {int(batch)} group by 1"))
        (sessions,) = warehouse.rows(f"select count(*) from int_affected_sessions where loaded_ms = {int(batch)}")[0]
    except Exception:  # noqa: BLE001 - a partial build (a selection) may lack a model: leave the counts out
        return {}
    finally:
        warehouse.close()
    accepted = int(reasons.pop("", 0) or 0)
    quarantined = {reason: int(count) for reason, count in reasons.items()}
    return {"batch_ms": int(batch), "lines_delivered": accepted + sum(quarantined.values()),
            "lines_accepted": accepted, "lines_quarantined": sum(quarantined.values()),
            "quarantined_by_reason": json.dumps(quarantined, sort_keys=True), "sessions_recomputed": int(sessions)}
