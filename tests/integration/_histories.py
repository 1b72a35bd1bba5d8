"""Histories of hourly runs: one warehouse per engine and source mode, faulted along the way.

    files_history(shared, engine) -> record      (LIVEPEER_EVENTS: files arriving in a folder)
    table_history(shared, engine) -> record      (LIVEPEER_SOURCE=table: rows arriving in the raw table)

Each is made once per pytest session (conftest's `shared`) and read by the
tests of test_exactly_once.py, test_bad_input.py and test_api.py. Every run
is `make build` or `make run` (dbt build WITH its data tests, under the run
lock), as the hourly job runs them; nothing is excluded from them. The input
is generated events (1 day, with redelivered duplicates and late events),
split by arrival hour into slices, plus a few invented events: the odd but
usable ones (_matrix.odd_but_usable_events) and the capability snapshots of
rule R4 (`REQUEUE`).

Files mode, one events folder gaining each slice's files before its run:

    1  slice 1 (+ odd events, R4 hour 1)   ok; meanwhile a second `make run` is refused
                                           (the first is held stopped while it holds the lock);
                                           then another program holding the DuckDB file stops a run
    2  slice 2 (a file half written)       SIGKILL at stg_livepeer__stream_trace (staging)
    3  slice 3 (the file complete)         SIGKILL at int_affected_sessions (the queue)
    4  slice 4                             SIGKILL at int_session_startup_outcomes (session grain)
    5  slice 5                             SIGKILL at fct_workflow_sessions (a mart)
    6  -                                   a copy of the project whose int_session_health fails
    7  slice 6                             SIGKILL after int_sessions printed OK (between nodes)
    8  -                                   ok (DuckDB: while the read API serves the file under load)
    9  -                                   rerun: reads no file, changes nothing

Table mode (production), each arrival hour appended with its own
`ingested_at`, some events one or three hours after their own hour:

    h0  slice 1 (+ odd events, R4 hour 1)  ok
    h1  slice 2 + late from slice 1        SIGKILL at int_session_events (before the session layer)
        (+ R4 hour 2)
    h2  slice 3                            ok
    h3  slice 4 + late from slice 3        SIGKILL at int_session_startup_outcomes (the queue written)
        (+ R4 hour 3: a late snapshot)
    h4  late events of slice 2 only        ok: must recompute what the killed run queued
    -   rerun, nothing new                 ok, changes nothing
    -   DBT_ARGS=--full-refresh            the expected result of BOTH histories

After every run the manifest of successful incremental runs
(`livepeer_incremental_manifest`) must show what it recorded: a successful
run records every incremental model; a killed run records the nodes before
the kill and not the killed node; a failing model records neither itself nor
what is downstream of it (`Journal`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from livepeer_analytics import run_history
from livepeer_devtools.generate import generate

from _fuzz_events import MODELS, Orchestrator, _capability_entry, _payment, _status, _trace, wallet
from _matrix import ODD_IDS, ODD_SESSION, odd_but_usable_events
from _support import (
    MART_GRAINS,
    REPO_ROOT,
    Server,
    assert_tables_equal,
    dbt_command,
    dump_models,
    engine_env,
    make,
    make_killed_at,
    node_created,
    node_started,
    offer_parse,
    output_of,
    query_engine,
    require_engine,
    rows_of,
    run_command,
    strip_ansi,
    without_columns,
)

# The models every history compares: the marts, the events summary, and the
# attribution of every observation (rule R4), without the column that says
# when a row was written.
GRAINS = {**MART_GRAINS, "dq_event_summary": ["event_type"], "int_observations_attributed": ["event_id"]}
MANIFEST = "livepeer_incremental_manifest"
LEDGER = "stg_livepeer__deliveries"
GENERATED_SEED = 11
FILE_SLICES = 6
PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python")

# The failing model of the files history and the relation it is made to read.
BROKEN_MODEL = "int_session_health"
MISSING_TABLE = "exactly_once_missing_table"


def dump_grains(env: dict) -> dict:
    dumped = dump_models(env, list(GRAINS))
    dumped["int_observations_attributed"] = without_columns(dumped["int_observations_attributed"], "loaded_ms")
    return dumped


def assert_marts_equal(expected: dict, actual: dict, what: str) -> None:
    """Every model of GRAINS equal row for row; the message names every model that differs."""
    differences = []
    for model, grain in GRAINS.items():
        try:
            assert_tables_equal(expected[model], actual[model], grain)
        except AssertionError as exc:
            differences.append(f"{model}: {exc}")
    assert not differences, f"{what}: {len(differences)} of {len(GRAINS)} models differ:\n" + "\n".join(differences)


# ------------------------------------------------------------------ inputs

def generated(shared) -> dict:
    """The generated events (1 day, 12,000 events, seed 11): {"files": [paths in arrival order], "counts"}."""

    def produce(folder: Path) -> dict:
        counts = generate(days=1, events_per_day=12_000, seed=GENERATED_SEED, out_dir=folder / "all")
        assert counts["duplicates"] > 0 and counts["late_events"] > 0, counts
        return {"files": [str(path) for path in sorted((folder / "all").glob("*.ndjson"))], "counts": counts}

    return shared.get("generated", produce)


def split(files: list, parts: int) -> list[list]:
    assert len(files) >= parts
    size, extra = divmod(len(files), parts)
    slices, start = [], 0
    for index in range(parts):
        end = start + size + (index < extra)
        slices.append(files[start:end])
        start = end
    return slices


# Rule R4 (docs/incremental.md): a new capability snapshot re-queues exactly the
# sessions it can re-attribute. Attribution keeps, per identity of a wallet, the
# nearest snapshot at or before an observation and the nearest at or after it
# (within the TTL), so a snapshot arriving later can only change observations
# between the identity's previous and next snapshot. One orchestrator, session A
# observed at T+10 min:
#   hour 1: snapshots at T+5 and T+15, session A          -> A queued, attributed to T+5
#   hour 2: a snapshot at T+60, session B at T+61          -> B queued, not A (T+60 is after A's next snapshot)
#   hour 3: a late snapshot at T+8                         -> A queued and re-attributed to T+8
T = 1_771_900_000_000  # 2026-02-24 02:26:40 UTC
MINUTE = 60_000
REQUEUE_GATEWAY = "snapshot-requeue-gateway"
REQUEUE_ORCH = Orchestrator(7)


def _requeue_envelope(event_id: str, family: str, at_ms: int, data) -> bytes:
    return json.dumps({"id": event_id, "type": family, "timestamp": str(at_ms), "gateway": REQUEUE_GATEWAY,
                       "data": data}).encode()


def _requeue_snapshot(name: str, at_ms: int) -> bytes:
    return _requeue_envelope(f"snapshot-{name}", "network_capabilities", at_ms,
                             [_capability_entry(REQUEUE_ORCH, MODELS[0], 1)])


def _requeue_session(name: str, at_ms: int) -> list[bytes]:
    ids = {"stream_id": f"requeue-stream-{name}", "request_id": f"requeue-req-{name}"}
    return [
        _requeue_envelope(f"{name}-request", "stream_trace", at_ms - 2_000,
                          _trace(ids, "gateway_receive_stream_request", at_ms - 2_000, None, MODELS[0])),
        _requeue_envelope(f"{name}-status", "ai_stream_status", at_ms,
                          _status(ids, at_ms, at_ms - 1_000, REQUEUE_ORCH, MODELS[0], "ONLINE", 20.0, 20.0, None, 0)),
    ]


# Rule R3: a new payment queues the sessions whose request id it names, directly
# or through its sessionID (only the first payment of a session carries the
# request id). Session P, observed at T+20 min:
#   hour 1: P's request, a status sample and its first payment (requestID and sessionID)
#   hour 2: a second payment naming P only through the sessionID  -> P queued, two payments
PAYMENT_IDS = {"stream_id": "payment-stream-p", "request_id": "payment-req-p"}
PAYMENT_SESSION = "payment-session-p"
PAYMENT_ORCH = Orchestrator(9)  # no capability snapshot: no R4 queueing of P


def _payment_envelope(name: str, at_ms: int, request_id: str, first: bool) -> bytes:
    return _requeue_envelope(f"payment-{name}", "create_new_payment", at_ms, _payment(
        request_id, PAYMENT_SESSION, PAYMENT_ORCH, MODELS[0], wallet(3, 9), 1_000_000_000_000_000, "0.5", 2, first))


REQUEUE = [
    [_requeue_snapshot("t05", T + 5 * MINUTE), _requeue_snapshot("t15", T + 15 * MINUTE),
     *_requeue_session("a", T + 10 * MINUTE),
     _requeue_envelope("p-request", "stream_trace", T + 20 * MINUTE, _trace(
         PAYMENT_IDS, "gateway_receive_stream_request", T + 20 * MINUTE, None, MODELS[0])),
     _requeue_envelope("p-status", "ai_stream_status", T + 21 * MINUTE, _status(
         PAYMENT_IDS, T + 21 * MINUTE, T + 20 * MINUTE, PAYMENT_ORCH, MODELS[0], "ONLINE", 20.0, 20.0, None, 0)),
     _payment_envelope("p1", T + 20 * MINUTE + 500, PAYMENT_IDS["request_id"], first=True)],
    [_requeue_snapshot("t60", T + 60 * MINUTE), *_requeue_session("b", T + 61 * MINUTE),
     _payment_envelope("p2", T + 22 * MINUTE, "", first=False)],
    [_requeue_snapshot("t08", T + 8 * MINUTE)],
]

REQUEUE_SQL = {
    "queued_by_last_run": """
        select sessions.stream_id as stream_id
        from int_affected_sessions as queue
        inner join int_sessions as sessions on queue.session_key = sessions.session_key
        where queue.loaded_ms = (select max(latest.loaded_ms) from int_affected_sessions as latest)
            and (sessions.stream_id like 'requeue-stream-%' or sessions.stream_id like 'payment-stream-%')""",
    "payments": """
        select payment_count
        from fct_workflow_sessions
        where stream_id = 'payment-stream-p'""",
    "attributed": """
        select distinct sessions.stream_id as stream_id, observations.snapshot_event_id as snapshot_event_id
        from int_observations_attributed as observations
        inner join int_sessions as sessions on observations.session_key = sessions.session_key
        where sessions.stream_id like 'requeue-stream-%'""",
}


def requeue_state(result: dict) -> dict:
    """{"queued": sorted streams the newest queue batch holds, "attributed": {stream: [snapshots]},
    "payments": P's payment count (None before P has a row)}, from the results of REQUEUE_SQL."""
    attributed: dict[str, list] = {}
    for stream, snapshot in result["attributed"]["rows"]:
        attributed.setdefault(stream, []).append(snapshot)
    payments = [row[0] for row in result["payments"]["rows"]]
    return {"queued": sorted(row[0] for row in result["queued_by_last_run"]["rows"]),
            "attributed": {stream: sorted(snapshots) for stream, snapshots in attributed.items()},
            "payments": payments[0] if payments else None}


# ------------------------------------------------------------------ the manifest

class Journal:
    """Follows the manifest of one warehouse from run to run and checks what each run recorded.

    A run's batch is the set of (model, batch_ms) rows it added to the
    manifest; every model recording in a run records the same batch_ms.
    """

    def __init__(self, engine: str, env: dict, extra_queries: dict | None = None) -> None:
        self.engine = engine
        self.env = env
        # queries run with the manifest's after each run; their results in `extra`
        self.extra_queries = extra_queries or {}
        self.extra: dict = {}
        self.seen: set[tuple] = set()
        self.incremental_models: set[str] | None = None
        self.log: list[str] = []

    def _recorded(self) -> tuple[set[str], int]:
        queries = {
            "manifest": f"select model_name, batch_ms from {MANIFEST}",
            "sessions": "select count(*) as sessions from fct_workflow_sessions",
            **self.extra_queries,
        }
        result = query_engine(self.env, queries)
        self.extra = {name: result[name] for name in self.extra_queries}
        rows = {tuple(row) for row in result["manifest"]["rows"]}
        new = rows - self.seen
        self.seen = rows
        batches = {batch for _, batch in new}
        assert len(batches) <= 1, f"one run recorded several batches: {sorted(batches)}"
        return {model for model, _ in new}, result["sessions"]["rows"][0][0]

    def _note(self, label: str, seconds: float, models: set[str], sessions: int, outcome: str) -> None:
        missing = sorted((self.incremental_models or set()) - models)
        line = (f"[{self.engine}] {label}: {outcome} in {seconds:.0f}s; recorded {len(models)} models"
                + (f", not recorded: {', '.join(missing)}" if missing and models else "")
                + f"; fct_workflow_sessions rows {sessions}")
        self.log.append(line)
        print(line)

    def ok(self, label: str, proc: subprocess.CompletedProcess, seconds: float) -> None:
        if proc.returncode != 0:
            pytest.fail(f"{label}: make build failed (exit {proc.returncode})\n\n{output_of(proc)}", pytrace=False)
        offer_parse(self.env)
        models, sessions = self._recorded()
        if self.incremental_models is None:
            assert len(models) > 20, f"the first build recorded only {sorted(models)}"
            self.incremental_models = models
        assert models == self.incremental_models, (
            f"{label}: a successful run recorded {sorted(models)}, "
            f"not every incremental model (missing {sorted(self.incremental_models - models)})"
        )
        self._note(label, seconds, models, sessions, "ok")

    def nothing_new(self, label: str, proc: subprocess.CompletedProcess, seconds: float) -> None:
        """A run that found nothing new: one line, exit 0, dbt not started, nothing recorded."""
        output = output_of(proc)
        assert proc.returncode == 0, f"{label}: make build failed (exit {proc.returncode})\n\n{output}"
        said = lines_starting(output, "nothing new since the last successful run")
        assert len(said) == 1, f"{label}: expected the one 'nothing new' line:\n{output}"
        assert " START " not in output and "Running with dbt" not in output, f"{label}: dbt started:\n{output}"
        models, sessions = self._recorded()
        assert not models, f"{label}: a run with nothing new recorded {sorted(models)}"
        self._note(label, seconds, models, sessions, "nothing new")

    def killed(self, label: str, run, node: str, after_created: bool = False) -> set[str]:
        tail = run.output[-5000:]
        assert run.matched is not None, f"{label}: the run never reached {node} and was not killed:\n{tail}"
        assert run.returncode == -signal.SIGKILL, (
            f"{label}: make exited {run.returncode}, not killed by SIGKILL, after {run.matched!r}\n{tail}"
        )
        models, sessions = self._recorded()
        # the kill hit the run midway: its first model had recorded the batch ...
        assert "stg_livepeer__deliveries" in models, (
            f"{label}: the killed run recorded {sorted(models)}, not stg_livepeer__deliveries"
        )
        assert self.incremental_models is None or models < self.incremental_models, (
            f"{label}: the killed run recorded every model")
        if after_created:
            # ... killed between two nodes: the node whose OK line was printed is recorded
            assert node in models, f"{label}: {node} printed OK created but did not record the batch"
        else:
            # ... killed as the node started: it did not record the batch
            assert node not in models, f"{label}: {node} recorded the batch of a run killed as it started"
        self._note(label, run.seconds, models, sessions, f"SIGKILL at {run.matched!r}")
        return models

    def failed(self, label: str, proc: subprocess.CompletedProcess, seconds: float,
               model: str, downstream: str, upstream: str) -> None:
        assert proc.returncode != 0, f"{label}: the broken build exited 0\n{output_of(proc)}"
        output = strip_ansi(proc.stdout + proc.stderr)
        assert MISSING_TABLE in output, f"{label}: the build did not fail on the broken model:\n{output[-5000:]}"
        models, sessions = self._recorded()
        assert upstream in models, f"{label}: {upstream} (upstream of the failure) did not record the batch"
        assert model not in models, f"{label}: the failing model {model} recorded the batch"
        assert downstream not in models, f"{label}: {downstream} (downstream of the failure) recorded the batch"
        self._note(label, seconds, models, sessions, f"exit {proc.returncode}, {model} failing")


def timed_make(target: str, env: dict, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    proc = make(target, env, *args)
    return proc, time.monotonic() - started


def lines_starting(output: str, prefix: str) -> list[str]:
    return [line for line in strip_ansi(output).splitlines() if line.startswith(prefix)]


def error_lines(output: str) -> list[str]:
    return lines_starting(output, "error:")


# ------------------------------------------------------------------ faults and side checks

def broken_project(root: Path) -> Path:
    """A copy of the project whose session-grain model BROKEN_MODEL reads a table that does not exist."""
    copy = root / "broken_project"
    copy.mkdir()
    for name in ("models", "macros", "seeds", "tests", "analyses"):
        shutil.copytree(REPO_ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(REPO_ROOT / name, copy / name)
    model = next((copy / "models").rglob(f"{BROKEN_MODEL}.sql"))
    sql = model.read_text()
    anchor = "select * from {{ ref('int_session_trace_milestones') }}\n    where {{ in_affected_sessions() }}"
    assert anchor in sql, f"{model.name} changed: cannot break it on purpose"
    model.write_text(sql.replace(anchor, f"{anchor}\n        and 0 < (select count(*) from {MISSING_TABLE})"))
    return copy


def run_broken_build(engine: str, env: dict, project: Path) -> tuple[subprocess.CompletedProcess, float]:
    """`dbt build` (data tests included) of the broken copy against the same warehouse."""
    env = {**env, "DBT_TARGET_PATH": str(project / "target")}
    started = time.monotonic()
    if engine == "chdb":
        # what `make build` does first on ClickHouse: the raw table gets LIVEPEER_EVENTS
        loaded = run_command([PYTHON, "-m", "livepeer_analytics.load_events"], env)
        assert loaded.returncode == 0, output_of(loaded)
    proc = run_command(
        dbt_command(engine) + ["build", "--exclude", "resource_type:unit_test",
                               "--project-dir", str(project), "--profiles-dir", str(project), "--target", engine],
        env,
    )
    return proc, time.monotonic() - started


def run_while_a_second_is_refused(env: dict) -> tuple[subprocess.CompletedProcess, float, dict]:
    """`make run`; once it has started a node it is held stopped (SIGSTOP: it holds the run
    lock and cannot go on), a second `make run` is tried, then the first goes on to its end."""
    started_at = time.monotonic()
    first = subprocess.Popen(
        ["make", "--no-print-directory", "run"], cwd=REPO_ROOT, env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    lines: list[str] = []
    node_started_event = threading.Event()

    def drain() -> None:
        for line in first.stdout:
            lines.append(line)
            if " START " in strip_ansi(line):
                node_started_event.set()
        node_started_event.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        node_started_event.wait()
        assert first.poll() is None, "the first run ended before it started a node:\n" + "".join(lines)
        os.killpg(first.pid, signal.SIGSTOP)
        try:
            second = make("run", env)
        finally:
            os.killpg(first.pid, signal.SIGCONT)
        first.wait()
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    reader.join()
    first.stdout.close()
    proc = subprocess.CompletedProcess(first.args, first.returncode, "".join(lines), "")
    second_output = second.stdout + second.stderr
    return proc, time.monotonic() - started_at, {
        "returncode": second.returncode, "output": second_output, "errors": error_lines(second_output),
        "skipped": lines_starting(second_output, "skipped:"),
    }


def run_while_another_program_holds_the_file(env: dict) -> dict:
    """`make build` while another program holds the DuckDB file open for writing."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time\n"
         "con = duckdb.connect(sys.argv[1])\n"
         "print('holding', flush=True)\n"
         "time.sleep(600)\n",
         env["LIVEPEER_DUCKDB"]],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding", "the holder could not open the DuckDB file"
        blocked = make("build", env)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    output = blocked.stdout + blocked.stderr
    return {"returncode": blocked.returncode, "output": output, "errors": error_lines(output)}


def build_while_the_api_serves(env: dict) -> tuple[subprocess.CompletedProcess, float, dict]:
    """`make build` on a DuckDB file the read API serves to four clients in a loop: the
    build starts once a client has had an answer, and the clients stop when it ends."""
    server = Server(env)
    statuses: list[int] = []
    answered, done = threading.Event(), threading.Event()

    def load() -> None:
        while not done.is_set():
            status = server.get("/v1/gpu/metrics", {"granularity": "day"})[0]
            statuses.append(status)
            if status == 200:
                answered.set()

    clients = [threading.Thread(target=load) for _ in range(4)]
    try:
        for client in clients:
            client.start()
        assert answered.wait(120), f"the API never answered 200 before the build: {statuses[:20]}"
        proc, seconds = timed_make("build", env)
        done.set()
        for client in clients:
            client.join()
        after = server.get("/v1/gpu/metrics")[0]
    finally:
        done.set()
        server.stop()
    return proc, seconds, {"statuses": statuses, "after": after}


# ------------------------------------------------------------------ files mode

def files_history(shared, engine: str) -> dict:
    """The files-mode history on `engine` (module docstring), run once per session."""
    require_engine(engine)
    return shared.get(f"history-files-{engine}", lambda folder: _files_history(shared, engine, folder))


def _files_history(shared, engine: str, root: Path) -> dict:
    slices = split([Path(path) for path in generated(shared)["files"]], FILE_SLICES)
    invented = root / "invented"
    invented.mkdir()
    (invented / "odd.ndjson").write_bytes(b"\n".join(odd_but_usable_events()) + b"\n")
    for hour, lines in enumerate(REQUEUE, start=1):
        (invented / f"requeue-hour-{hour}.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    extra = {0: ["odd.ndjson", "requeue-hour-1.ndjson"], 1: ["requeue-hour-2.ndjson"], 2: ["requeue-hour-3.ndjson"]}

    events_dir = root / "events"  # the one folder people keep their event files in
    events_dir.mkdir()
    warehouse = root / "warehouse"
    warehouse.mkdir()
    env = engine_env(engine, warehouse, events_dir)
    journal = Journal(engine, env)
    record: dict = {"engine": engine}

    growing = slices[1][-1]  # arrives half written with slice 2, complete with slice 3
    lines = growing.read_bytes().splitlines(keepends=True)

    def arrive(index: int) -> None:
        for path in slices[index]:
            if path == growing:
                (events_dir / path.name).write_bytes(b"".join(lines[: len(lines) // 2]))
            else:
                (events_dir / path.name).symlink_to(path)
        for name in extra.get(index, []):
            (events_dir / name).symlink_to(invented / name)
        if index == 2:
            (events_dir / growing.name).write_bytes(b"".join(lines))  # a new size and modification time

    def last_ledger_write() -> tuple[int, list[str]]:
        """(batch, names of the files) of the newest lines in the delivery ledger."""
        rows = query_engine(env, {"ledger": f"select distinct source_file, loaded_ms from {LEDGER}"})["ledger"]["rows"]
        newest = max(loaded for _, loaded in rows)
        return newest, sorted({Path(source).name for source, loaded in rows if loaded == newest})

    def kill_at_start(label: str, node: str) -> None:
        journal.killed(label, make_killed_at("build", env, node_started(node)), node)

    arrive(0)
    proc, seconds, record["second_run"] = run_while_a_second_is_refused(env)
    journal.ok("slice 1, a second run refused meanwhile", proc, seconds)
    first_output = strip_ansi(proc.stdout)
    record["first_run"] = {"done": [line.strip() for line in first_output.splitlines() if "Done. PASS=" in line],
                           "traceback": "Traceback" in first_output}
    if engine == "duckdb":
        record["file_held"] = run_while_another_program_holds_the_file(env)
    record["odd"] = {
        **dump_models(env, ["dq_flagged_events", "dq_unmapped_trace_subtypes"]),
        **query_engine(env, {
            "deliveries": f"select event_id, quarantine_reason from {LEDGER} "
                          f"where event_id in ({', '.join(repr(i) for i in ODD_IDS)})",
            "session": f"select * from fct_workflow_sessions where session_key = '{ODD_SESSION}'",
            "messages": "select event_id, length(message) as message_length from stg_livepeer__ai_stream_events "
                        "where event_id = 'o6'",
        }),
    }

    arrive(1)
    kill_at_start("slice 2", "stg_livepeer__stream_trace")  # staging, after deliveries and events
    arrive(2)
    kill_at_start("slice 3", "int_affected_sessions")  # the queue of sessions to recompute
    # the killed run of slice 2 committed the ledger: this one read slice 3 and the file that grew, not slice 2
    record["ledger_after_slice_3"] = last_ledger_write()[1]
    record["slice_3_files"] = sorted({path.name for path in slices[2]} | {growing.name} | set(extra[2]))
    arrive(3)
    kill_at_start("slice 4", "int_session_startup_outcomes")  # a session-grain model
    arrive(4)
    kill_at_start("slice 5", "fct_workflow_sessions")  # a mart
    proc, seconds = run_broken_build(engine, env, broken_project(root))
    journal.failed("slice 5, broken model", proc, seconds,
                   model=BROKEN_MODEL, downstream="fct_workflow_sessions", upstream="int_sessions")
    arrive(5)
    journal.killed("slice 6", make_killed_at("build", env, node_created("int_sessions")), "int_sessions",
                   after_created=True)  # between two nodes
    if engine == "duckdb":
        proc, seconds, record["served"] = build_while_the_api_serves(env)
        journal.ok("slice 6, the API serving meanwhile", proc, seconds)
    else:
        journal.ok("slice 6", *timed_make("build", env))
    record["final"] = dump_grains(env)

    before = last_ledger_write()
    journal.nothing_new("slice 6, nothing new", *timed_make("build", env))
    journal.ok("slice 6 rerun (--force)", *timed_make("build", env, "DBT_ARGS=--force"))
    record["ledger_reread"] = last_ledger_write() != before
    record["rerun"] = dump_grains(env)
    record["log"] = journal.log
    record["runs"] = rows_of(query_engine(env, {"runs": (
        "select outcome, is_unfinished, is_repaired, nodes_failed, batch_ms, lines_delivered, lines_accepted,"
        f" lines_quarantined, sessions_recomputed from ({run_history.latest_runs_sql('job_runs')}) as runs"
        " order by started_at")})["runs"])
    record["manifest_batches"] = sorted({row[0] for row in query_engine(
        env, {"b": f"select distinct batch_ms from {MANIFEST}"})["b"]["rows"]})
    return record


# ------------------------------------------------------------------ table mode

# Arrival hours h0-h3 bring four slices; h4 brings only late events (no
# capability snapshot of the generated orchestrators). Within an hour the
# slice's files arrive in two appends: all but the last file EARLY_MINUTES
# before the hour's arrival time, the last file and the late events at it. A
# run re-reads only the newest arrivals it processed (var
# arrival_lookback_minutes, 10), so the run after the kill of h3 (after the
# queue of affected sessions was written) does not re-read and re-queue most
# of h3: the sessions queued by the killed run must be recomputed because each
# model reads the queue after its OWN watermark. The R4 files arrive early in
# their hour, out of the next run's look-back.
TABLE_SLICES = 4
ARRIVAL_HOURS = TABLE_SLICES + 1
EARLY_MINUTES = 15
# (own slice, arrival hour, every Nth line of the slice, offset): late arrivals
LATE = [(0, 1, 25, 3), (2, 3, 30, 11), (1, 4, 20, 7)]
LATE_ONLY_HOUR = 4
# arrival hour -> the node at whose START its run is SIGKILLed
KILLS = {
    1: "int_session_events",  # staging done, the session layer not started
    3: "int_session_startup_outcomes",  # the queue written, a session-grain model not
}
REQUEUE_HOURS = {0: 0, 1: 1, 3: 2}  # arrival hour -> the R4 hour file arriving in it


def _event_type(line: bytes) -> str:
    try:
        return str(json.loads(line).get("type"))
    except ValueError:
        return ""


def _arrival_hours(shared, root: Path) -> tuple[list[list[tuple[Path, int]]], dict]:
    """Per arrival hour, [(folder, minutes before the hour's arrival time)]: the slice's files
    minus the events that arrive late, plus the late events and the R4 file of that hour."""
    slices = split([Path(path) for path in generated(shared)["files"]], TABLE_SLICES)
    early = [root / f"hour_{index}" / "early" for index in range(ARRIVAL_HOURS)]
    last = [root / f"hour_{index}" / "last" for index in range(ARRIVAL_HOURS)]
    for directory in early + last:
        directory.mkdir(parents=True)
    late_counts: dict[str, int] = {}
    for index, files in enumerate(slices):
        late = [(arrival, every, offset) for own, arrival, every, offset in LATE if own == index]
        for path in files:
            kept = []
            for number, line in enumerate(path.read_bytes().splitlines(keepends=True)):
                for arrival, every, offset in late:
                    if number % every == offset and not (
                        arrival == LATE_ONLY_HOUR and _event_type(line) == "network_capabilities"
                    ):
                        with (last[arrival] / f"late-from-{path.stem}-at-hour-{arrival}.ndjson").open("ab") as out:
                            out.write(line)
                        key = f"{index}->{arrival}"
                        late_counts[key] = late_counts.get(key, 0) + 1
                        break
                else:
                    kept.append(line)
            (last[index] if path == files[-1] else early[index]).joinpath(path.name).write_bytes(b"".join(kept))
    for own, arrival, _, _ in LATE:
        assert late_counts.get(f"{own}->{arrival}", 0) > 10, late_counts
    for arrival, hour in REQUEUE_HOURS.items():
        (early[arrival] / f"requeue-hour-{hour + 1}.ndjson").write_bytes(b"\n".join(REQUEUE[hour]) + b"\n")
    # the odd but usable events, as in the files history: both histories hold the same events
    (early[0] / "odd.ndjson").write_bytes(b"\n".join(odd_but_usable_events()) + b"\n")
    hours = [
        [(directory, minutes) for directory, minutes in ((early[index], EARLY_MINUTES), (last[index], 0))
         if any(directory.iterdir())]
        for index in range(ARRIVAL_HOURS)
    ]
    return hours, late_counts


def create_raw_table(engine: str, env: dict) -> None:
    proc = run_command(dbt_command(engine) + ["run-operation", "create_streaming_events_table", "--target", engine],
                       env)
    assert proc.returncode == 0, f"create_streaming_events_table failed:\n{output_of(proc)}"


def append_events(env: dict, events: Path, ingested_at: dt.datetime, replace: bool = False) -> None:
    """The loader: add (or, with replace, load instead of the table's rows) `events`, arrived at `ingested_at`."""
    proc = run_command(
        [PYTHON, "-m", "livepeer_analytics.load_events"]
        + ([] if replace else ["--append"])
        + ["--ingested-at", ingested_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")],
        {**env, "LIVEPEER_EVENTS": str(events)},
    )
    assert proc.returncode == 0, f"loading {events} failed:\n{output_of(proc)}"


def table_history(shared, engine: str) -> dict:
    """The table-mode history on `engine` (module docstring), run once per session."""
    require_engine(engine)
    return shared.get(f"history-table-{engine}", lambda folder: _table_history(shared, engine, folder))


def _table_history(shared, engine: str, root: Path) -> dict:
    hours, late_counts = _arrival_hours(shared, root / "arrivals")
    warehouse = root / "warehouse"
    warehouse.mkdir()
    # LIVEPEER_EVENTS stays unset for the runs: the job reads the raw table only
    env = engine_env(engine, warehouse, None, LIVEPEER_SOURCE="table")
    create_raw_table(engine, env)
    journal = Journal(engine, env, REQUEUE_SQL)
    record: dict = {"engine": engine, "late_counts": late_counts, "requeue": {}}

    now = dt.datetime.now(dt.UTC)
    last_arrival = now - dt.timedelta(minutes=15)  # the newest arrival is within the last hour
    for index, appends in enumerate(hours):
        arrival = last_arrival - dt.timedelta(hours=len(hours) - 1 - index)
        for directory, minutes_before in appends:
            append_events(env, directory, arrival - dt.timedelta(minutes=minutes_before))
        label = f"arrival hour h{index} ({arrival:%H:%M}Z)"
        if index in KILLS:
            node = KILLS[index]
            recorded = journal.killed(label, make_killed_at("build", env, node_started(node)), node)
            if node == "int_session_startup_outcomes":
                assert "int_affected_sessions" in recorded, f"{label}: the killed run had not queued its sessions"
        else:
            journal.ok(label, *timed_make("build", env))
        record["requeue"][f"h{index}"] = requeue_state(journal.extra)
    record["incremental"] = dump_grains(env)

    journal.nothing_new("nothing new", *timed_make("build", env))
    journal.ok("rerun (--force)", *timed_make("build", env, "DBT_ARGS=--force"))
    record["rerun"] = dump_grains(env)

    proc, seconds = timed_make("build", env, "DBT_ARGS=--full-refresh")
    assert proc.returncode == 0, f"full refresh failed:\n{output_of(proc)}"
    journal.log.append(f"[{engine}] full refresh of the raw table in {seconds:.0f}s")
    record["full"] = dump_grains(env)
    for model in GRAINS:
        assert record["full"][model]["rows"], f"{model} is empty after the full refresh"
    record["log"] = journal.log
    return record
