"""Rule R4: a new capability snapshot re-queues exactly the sessions it can re-attribute.

Attribution keeps, per identity of a wallet, only the nearest snapshot at or
before an observation and the nearest at or after it (within the TTL), so a
snapshot arriving in a later run can only change observations between the
identity's previous and next snapshot (docs/incremental.md, rule R4).

One orchestrator; session A observed at T+10 min. Hour files arrive in one
directory, one `make build` (the hourly job, with its data tests) per file:

1. snapshots at T+5 and T+15 min, and session A: A is attributed to T+5
   (nearest prior);
2. a snapshot at T+60 min and session B at T+61 min: the new snapshot lies
   after A's next snapshot (T+15), so it cannot change A: B is queued, A is not;
3. a late snapshot at T+8 min: it becomes A's nearest prior snapshot, so A is
   queued and re-attributed to it.

The result equals one build of the three files at once. DuckDB only: the
ClickHouse SQL of the rule runs in test_incremental/test_exactly_once, whose
late events include capability snapshots.
"""

from __future__ import annotations

import json
from pathlib import Path

from _fuzz_events import MODELS, Orchestrator, _capability_entry, _status, _trace
from _support import make_build, query

T = 1_771_900_000_000  # 2026-02-24 02:26:40 UTC
MINUTE = 60_000
MODEL = MODELS[0]
GATEWAY = "snapshot-requeue-gateway"
ORCH = Orchestrator(7)


def _envelope(event_id: str, family: str, at_ms: int, data) -> str:
    return json.dumps({"id": event_id, "type": family, "timestamp": str(at_ms), "gateway": GATEWAY, "data": data})


def _snapshot(name: str, at_ms: int) -> str:
    return _envelope(f"snapshot-{name}", "network_capabilities", at_ms, [_capability_entry(ORCH, MODEL, 1)])


def _session(name: str, at_ms: int) -> list[str]:
    ids = {"stream_id": f"requeue-stream-{name}", "request_id": f"requeue-req-{name}"}
    return [
        _envelope(f"{name}-request", "stream_trace", at_ms - 2_000,
                  _trace(ids, "gateway_receive_stream_request", at_ms - 2_000, None, MODEL)),
        _envelope(f"{name}-status", "ai_stream_status", at_ms,
                  _status(ids, at_ms, at_ms - 1_000, ORCH, MODEL, "ONLINE", 20.0, 20.0, None, 0)),
    ]


HOURS = {
    "hour-1.ndjson": [_snapshot("t05", T + 5 * MINUTE), _snapshot("t15", T + 15 * MINUTE), *_session("a", T + 10 * MINUTE)],
    "hour-2.ndjson": [_snapshot("t60", T + 60 * MINUTE), *_session("b", T + 61 * MINUTE)],
    "hour-3.ndjson": [_snapshot("t08", T + 8 * MINUTE)],
}


def _write(directory: Path, names: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / name).write_text("\n".join(HOURS[name]) + "\n")


def _queued_by_last_run(db: Path) -> set[str]:
    rows = query(db, """
        select sessions.stream_id
        from main.int_affected_sessions as queue
        inner join main.int_sessions as sessions on queue.session_key = sessions.session_key
        where queue.loaded_ms = (select max(loaded_ms) from main.int_affected_sessions)
    """)
    return {stream_id for (stream_id,) in rows}


def _attributed_snapshot(db: Path, stream_id: str) -> set[str]:
    rows = query(db, """
        select distinct observations.snapshot_event_id
        from main.int_observations_attributed as observations
        inner join main.int_sessions as sessions on observations.session_key = sessions.session_key
        where sessions.stream_id = ?
    """, [stream_id])
    return {snapshot for (snapshot,) in rows}


def _marts(db: Path) -> dict:
    tables = {}
    for table, key in [("fct_workflow_sessions", "session_key"), ("int_observations_attributed", "event_id")]:
        columns = [name for (name,) in query(db, f"select column_name from information_schema.columns "
                                                 f"where table_name = '{table}' and column_name != 'loaded_ms'")]
        tables[table] = query(db, f"select {', '.join(columns)} from main.{table} order by {key}")
    return tables


def test_new_snapshot_requeues_only_the_sessions_it_can_reattribute(tmp_path):
    events = tmp_path / "events"
    hourly = tmp_path / "hourly"
    hourly.mkdir()

    _write(events, ["hour-1.ndjson"])
    db = Path(make_build("duckdb", events, hourly)["LIVEPEER_DUCKDB"])
    assert _queued_by_last_run(db) == {"requeue-stream-a"}
    assert _attributed_snapshot(db, "requeue-stream-a") == {"snapshot-t05"}

    _write(events, ["hour-2.ndjson"])
    make_build("duckdb", events, hourly)
    assert _queued_by_last_run(db) == {"requeue-stream-b"}, "a snapshot after A's next snapshot re-queued A"
    assert _attributed_snapshot(db, "requeue-stream-a") == {"snapshot-t05"}
    assert _attributed_snapshot(db, "requeue-stream-b") == {"snapshot-t60"}

    _write(events, ["hour-3.ndjson"])
    make_build("duckdb", events, hourly)
    assert _queued_by_last_run(db) == {"requeue-stream-a"}, "a new nearest prior snapshot did not re-queue A"
    assert _attributed_snapshot(db, "requeue-stream-a") == {"snapshot-t08"}

    full_events = tmp_path / "all"
    (tmp_path / "full").mkdir()
    _write(full_events, list(HOURS))
    full = Path(make_build("duckdb", full_events, tmp_path / "full")["LIVEPEER_DUCKDB"])
    assert _marts(db) == _marts(full)
