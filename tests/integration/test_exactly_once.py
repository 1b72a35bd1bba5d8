"""Exactly once across failures, end to end, through the user's own command.

Every run here is `make build` (dbt build WITH its data tests, under the run
lock), as the hourly job runs it; nothing is excluded from it. Generated events
(1 day, with redelivered duplicates and late events) are split by arrival hour
into slices.

1. Files mode: one events directory gains each slice's files before its run.
   Runs are SIGKILLed (the whole process group) at nodes of every layer and
   once between two nodes, one run fails on purpose in a session-grain model;
   afterwards every mart equals one full build of all the slices, and a rerun
   changes nothing. The manifest (`livepeer_incremental_manifest`) must show
   that each killed node did not record the killed run's batch.
2. The production source (`LIVEPEER_SOURCE=table`): each arrival hour is
   appended to the raw table with its own `ingested_at`, some events arrive
   one and five hours after their own hour, two runs are SIGKILLed (before the
   session layer; after the queue of affected sessions was written, the next
   run bringing only a few late events); the marts equal a full refresh of
   the same table and a rerun changes nothing. Source freshness passes, warns
   and errors on the arrival time.

   A run reads only the files that are new or changed since a committed run
   read them (the file ledger): one file grows between two runs and must be
   read again, a rerun reads no file, and a run killed before the ledger
   committed has its files read by the next run.
3. Concurrency (DuckDB): a second run while one holds the warehouse stops at
   once with one `error:` line and the first finishes intact; another program
   holding the DuckDB file makes the run stop with one `error:` line.

On DuckDB and on ClickHouse (chdb) unless said otherwise.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from _support import (
    MART_GRAINS,
    REPO_ROOT,
    assert_tables_equal,
    dbt_command,
    dump_models,
    engine_env,
    make,
    make_build,
    make_killed_at,
    node_created,
    node_started,
    output_of,
    require_engine,
    run_command,
    strip_ansi,
)
from livepeer_devtools.generate import generate

GRAINS = {**MART_GRAINS, "dq_event_summary": ["event_type"]}
ENGINES = ["duckdb", "chdb"]
SLICES = 6
MANIFEST = "livepeer_incremental_manifest"
LEDGER = "stg_livepeer__deliveries"
SEED = 11

# The failing model of the files scenario and the relation it is made to read.
BROKEN_MODEL = "int_session_health"
MISSING_TABLE = "exactly_once_missing_table"


# ------------------------------------------------------------------ inputs

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(directory with every file, [[files of each slice] in arrival order], generate() summary)."""
    all_dir = tmp_path_factory.mktemp("exactly_once_events") / "all"
    counts = generate(days=1, events_per_day=12_000, seed=SEED, out_dir=all_dir)
    assert counts["duplicates"] > 0 and counts["late_events"] > 0, counts
    files = sorted(all_dir.glob("*.ndjson"))
    assert len(files) >= SLICES
    size, extra = divmod(len(files), SLICES)
    slices, start = [], 0
    for index in range(SLICES):
        end = start + size + (index < extra)
        slices.append(files[start:end])
        start = end
    return all_dir, slices, counts


@pytest.fixture(scope="module")
def full_build(generated, tmp_path_factory):
    """`full_build(engine)`: the marts of one `make build` of every file at once (built once per engine)."""
    all_dir = generated[0]
    cache: dict[str, dict] = {}

    def get(engine: str) -> dict:
        if engine not in cache:
            env = make_build(engine, all_dir, tmp_path_factory.mktemp(f"exactly_once_full_{engine}"))
            cache[engine] = dump_models(env, list(GRAINS))
            for model in GRAINS:
                assert cache[engine][model]["rows"], f"{model} is empty on the full build"
        return cache[engine]

    return get


def warehouse_dir(root: Path) -> Path:
    """A fresh folder for one warehouse (DuckDB file or chdb data) and its dbt target/logs."""
    path = root / "warehouse"
    path.mkdir()
    return path


def assert_marts_equal(expected: dict, actual: dict, what: str) -> None:
    """Every mart of GRAINS equal row for row; the message names every mart that differs."""
    differences = []
    for model, grain in GRAINS.items():
        try:
            assert_tables_equal(expected[model], actual[model], grain)
        except AssertionError as exc:
            differences.append(f"{model}: {exc}")
    assert not differences, f"{what}: {len(differences)} of {len(GRAINS)} marts differ:\n" + "\n".join(differences)


# ------------------------------------------------------------------ the manifest

class Journal:
    """Follows the manifest of one warehouse from run to run and checks what each run recorded.

    A run's batch is the set of (model, batch_ms) rows it added to the
    manifest; every model recording in a run records the same batch_ms.
    """

    def __init__(self, engine: str, env: dict) -> None:
        self.engine = engine
        self.env = env
        self.seen: set[tuple] = set()
        self.incremental_models: set[str] | None = None
        self.log: list[str] = []

    def _recorded(self) -> tuple[set[str], int]:
        dumped = dump_models(self.env, [MANIFEST, "fct_workflow_sessions"])
        rows = {tuple(row) for row in dumped[MANIFEST]["rows"]}
        new = rows - self.seen
        self.seen = rows
        batches = {batch for _, batch in new}
        assert len(batches) <= 1, f"one run recorded several batches: {sorted(batches)}"
        return {model for model, _ in new}, len(dumped["fct_workflow_sessions"]["rows"])

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
        models, sessions = self._recorded()
        if self.incremental_models is None:
            assert len(models) > 20, f"the first build recorded only {sorted(models)}"
            self.incremental_models = models
        assert models == self.incremental_models, (
            f"{label}: a successful run recorded {sorted(models)}, "
            f"not every incremental model (missing {sorted(self.incremental_models - models)})"
        )
        self._note(label, seconds, models, sessions, "ok")

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
        assert models < self.incremental_models, f"{label}: the killed run recorded every model"
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


def timed_make_build(env: dict, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    proc = make("build", env, *args)
    return proc, time.monotonic() - started


# ------------------------------------------------------------------ 1. files mode

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
    anchor = "select * from {{ ref('int_session_trace_milestones') }}"
    assert anchor in sql, f"{model.name} changed: cannot break it on purpose"
    model.write_text(sql.replace(anchor, f"{anchor}\n    where 0 < (select count(*) from {MISSING_TABLE})"))
    return copy


def run_broken_build(engine: str, env: dict, project: Path) -> tuple[subprocess.CompletedProcess, float]:
    """`dbt build` (data tests included) of the broken copy against the same warehouse."""
    env = {**env, "DBT_TARGET_PATH": str(project / "target")}
    started = time.monotonic()
    if engine == "chdb":
        # what `make build` does first on ClickHouse: the raw table gets LIVEPEER_EVENTS
        loaded = run_command([str(REPO_ROOT / ".venv" / "bin" / "python"), "-m", "livepeer_analytics.load_events"], env)
        assert loaded.returncode == 0, output_of(loaded)
    proc = run_command(
        dbt_command(engine) + ["build", "--exclude", "resource_type:unit_test",
                               "--project-dir", str(project), "--profiles-dir", str(project), "--target", engine],
        env,
    )
    return proc, time.monotonic() - started


@pytest.mark.parametrize("engine", ENGINES)
def test_files_mode_survives_kills_and_a_failing_model(engine, generated, full_build, tmp_path):
    require_engine(engine)
    all_dir, slices, _ = generated
    expected = full_build(engine)

    events_dir = tmp_path / "events"  # the one directory people keep their event files in
    events_dir.mkdir()
    env = engine_env(engine, warehouse_dir(tmp_path), events_dir)
    journal = Journal(engine, env)

    growing = slices[1][-1]  # arrives half written with slice 2, complete with slice 3
    lines = growing.read_bytes().splitlines(keepends=True)

    def arrive(index: int) -> None:
        for path in slices[index]:
            if path == growing:
                (events_dir / path.name).write_bytes(b"".join(lines[: len(lines) // 2]))
            else:
                (events_dir / path.name).symlink_to(path)
        if index == 2:
            (events_dir / growing.name).write_bytes(b"".join(lines))  # a new size and modification time

    def last_ledger_write() -> tuple[int, set[str]]:
        """(batch, names of the files) of the newest lines in the delivery ledger."""
        ledger = dump_models(env, [LEDGER])[LEDGER]
        file_at, loaded_at = ledger["columns"].index("source_file"), ledger["columns"].index("loaded_ms")
        newest = max(row[loaded_at] for row in ledger["rows"])
        return newest, {Path(row[file_at]).name for row in ledger["rows"] if row[loaded_at] == newest}

    def ok(label: str) -> None:
        journal.ok(label, *timed_make_build(env))

    def kill_at_start(label: str, node: str) -> None:
        journal.killed(label, make_killed_at("build", env, node_started(node)), node)

    def kill_after(label: str, node: str) -> None:
        journal.killed(label, make_killed_at("build", env, node_created(node)), node, after_created=True)

    arrive(0)
    ok("slice 1")
    arrive(1)
    kill_at_start("slice 2", "stg_livepeer__stream_trace")  # staging, after deliveries and events
    arrive(2)
    ok("slices 2-3")
    # the killed run of slice 2 committed the ledger: this run read slice 3 and the file that grew
    assert last_ledger_write()[1] == {path.name for path in slices[2]} | {growing.name}
    arrive(3)
    kill_at_start("slice 4", "int_affected_sessions")  # the queue of sessions to recompute
    kill_at_start("slice 4 again", "int_session_startup_outcomes")  # a session-grain model
    arrive(4)
    kill_at_start("slice 5", "fct_workflow_sessions")  # a mart
    proc, seconds = run_broken_build(engine, env, broken_project(tmp_path))
    journal.failed("slice 5, broken model", proc, seconds,
                   model=BROKEN_MODEL, downstream="fct_workflow_sessions", upstream="int_sessions")
    arrive(5)
    kill_after("slice 6", "int_sessions")  # between two nodes
    ok("slice 6")
    incremental = dump_models(env, list(GRAINS))
    assert_marts_equal(expected, incremental, f"{engine}: faulted incremental runs vs one full build")

    before = last_ledger_write()
    ok("slice 6 rerun")
    assert last_ledger_write() == before, "the rerun read files again"
    rerun = dump_models(env, list(GRAINS))
    assert_marts_equal(incremental, rerun, f"{engine}: rerunning the last slice changed the marts")


# ------------------------------------------------------------------ 2. the production source


# Arrival hours 0-5 bring the slices; hour 6 brings only late events (no
# capability snapshot). Within an hour the slice's files arrive in two appends:
# all but the last file EARLY_MINUTES before the hour's arrival time, the last
# file and the late events at it. A run re-reads only the newest arrivals it
# processed (var arrival_lookback_minutes, 10), so the run after the kill of
# hour 5 (after the queue of affected sessions was written) does not re-read
# and re-queue most of hour 5: the sessions queued by the killed run must be
# recomputed because each model reads the queue after its OWN watermark.
ARRIVAL_HOURS = SLICES + 1
EARLY_MINUTES = 15
# (own slice, arrival hour, every Nth line of the slice, offset): late arrivals
LATE = [(0, 1, 25, 3), (2, 3, 30, 11), (1, 6, 20, 7)]
LATE_ONLY_HOUR = 6
# arrival hour -> the node at whose START its run is SIGKILLed
KILLS = {
    3: "int_session_events",  # staging done, the session layer not started
    5: "int_session_startup_outcomes",  # the queue written, a session-grain model not
}


def _event_type(line: bytes) -> str:
    import json

    try:
        return str(json.loads(line).get("type"))
    except ValueError:
        return ""


@pytest.fixture(scope="module")
def arrival_hours(generated, tmp_path_factory):
    """Per arrival hour, [(directory, minutes before the hour's arrival time)]: the slice's files
    minus the events that arrive late, plus the late events that arrive in that hour."""
    _, slices, _ = generated
    root = tmp_path_factory.mktemp("exactly_once_arrivals")
    early = [root / f"hour_{index}" / "early" for index in range(ARRIVAL_HOURS)]
    last = [root / f"hour_{index}" / "last" for index in range(ARRIVAL_HOURS)]
    for directory in early + last:
        directory.mkdir(parents=True)
    late_counts = {}
    for index, files in enumerate(slices):
        late = [(arrival, every, offset) for own, arrival, every, offset in LATE if own == index]
        for path in files:
            lines = path.read_bytes().splitlines(keepends=True)
            kept = []
            for number, line in enumerate(lines):
                for arrival, every, offset in late:
                    if number % every == offset and not (
                        arrival == LATE_ONLY_HOUR and _event_type(line) == "network_capabilities"
                    ):
                        name = f"late-from-{path.stem}-at-hour-{arrival}.ndjson"
                        with (last[arrival] / name).open("ab") as handle:
                            handle.write(line)
                        late_counts[(index, arrival)] = late_counts.get((index, arrival), 0) + 1
                        break
                else:
                    kept.append(line)
            target = last[index] if path == files[-1] else early[index]
            (target / path.name).write_bytes(b"".join(kept))
    for own, arrival, _, _ in LATE:
        assert late_counts.get((own, arrival), 0) > 10, late_counts
    hours = [
        [(directory, minutes) for directory, minutes in ((early[index], EARLY_MINUTES), (last[index], 0))
         if any(directory.iterdir())]
        for index in range(ARRIVAL_HOURS)
    ]
    return hours, late_counts


def create_raw_table(engine: str, env: dict) -> None:
    proc = run_command(dbt_command(engine) + ["run-operation", "create_streaming_events_table", "--target", engine], env)
    assert proc.returncode == 0, f"create_streaming_events_table failed:\n{output_of(proc)}"


def append_events(env: dict, events: Path, ingested_at: dt.datetime, replace: bool = False) -> None:
    """The loader: add (or, with replace, load instead of the table's rows) `events`, arrived at `ingested_at`."""
    proc = run_command(
        [str(REPO_ROOT / ".venv" / "bin" / "python"), "-m", "livepeer_analytics.load_events"]
        + ([] if replace else ["--append"])
        + ["--ingested-at", ingested_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")],
        {**env, "LIVEPEER_EVENTS": str(events)},
    )
    assert proc.returncode == 0, f"loading {events} failed:\n{output_of(proc)}"


@pytest.mark.parametrize("engine", ENGINES)
def test_table_mode_hourly_arrivals_with_late_events_and_a_kill(engine, arrival_hours, tmp_path):
    require_engine(engine)
    hours, _ = arrival_hours
    # LIVEPEER_EVENTS stays unset for the runs: the job reads the raw table only
    env = engine_env(engine, warehouse_dir(tmp_path), None, LIVEPEER_SOURCE="table")
    create_raw_table(engine, env)
    journal = Journal(engine, env)

    now = dt.datetime.now(dt.timezone.utc)
    last_arrival = now - dt.timedelta(minutes=15)  # the newest arrival is within the last hour
    for index, appends in enumerate(hours):
        arrival = last_arrival - dt.timedelta(hours=len(hours) - 1 - index)
        for directory, minutes_before in appends:
            append_events(env, directory, arrival - dt.timedelta(minutes=minutes_before))
        label = f"arrival hour {index + 1} ({arrival:%H:%M}Z)"
        if index in KILLS:
            node = KILLS[index]
            recorded = journal.killed(label, make_killed_at("build", env, node_started(node)), node)
            if node == "int_session_startup_outcomes":
                assert "int_affected_sessions" in recorded, f"{label}: the killed run had not queued its sessions"
        else:
            journal.ok(label, *timed_make_build(env))
    incremental = dump_models(env, list(GRAINS))

    journal.ok("rerun, nothing new", *timed_make_build(env))
    rerun = dump_models(env, list(GRAINS))
    assert_marts_equal(incremental, rerun, f"{engine}: a rerun with nothing new changed the marts")

    proc, seconds = timed_make_build(env, "DBT_ARGS=--full-refresh")
    assert proc.returncode == 0, f"full refresh failed:\n{output_of(proc)}"
    print(f"[{engine}] full refresh of the raw table in {seconds:.0f}s")
    full = dump_models(env, list(GRAINS))
    for model in GRAINS:
        assert full[model]["rows"], f"{model} is empty after the full refresh"
    assert_marts_equal(full, incremental, f"{engine}: hourly runs vs a full refresh of the same raw table")


@pytest.mark.parametrize("engine", ENGINES)
def test_source_freshness_on_arrival_time(engine, generated, tmp_path):
    """`dbt source freshness` on a small raw table of its own whose newest row arrived 20 min, 3 h, 7 h ago."""
    require_engine(engine)
    _, slices, _ = generated
    tiny = tmp_path / "tiny.ndjson"
    tiny.write_bytes(b"".join(slices[0][0].read_bytes().splitlines(keepends=True)[:5]))
    env = engine_env(engine, warehouse_dir(tmp_path), None, LIVEPEER_SOURCE="table")
    create_raw_table(engine, env)
    now = dt.datetime.now(dt.timezone.utc)
    for age, verdict in [(dt.timedelta(minutes=20), "PASS"), (dt.timedelta(hours=3), "WARN"),
                         (dt.timedelta(hours=7), "ERROR")]:
        append_events(env, tiny, now - age, replace=True)
        proc = run_command(dbt_command(engine) + ["source", "freshness", "--target", engine], env)
        output = strip_ansi(proc.stdout + proc.stderr)
        result_lines = [line.strip() for line in output.splitlines()
                        if "freshness of livepeer.streaming_events" in line and "START" not in line]
        print(f"[{engine}] newest arrival {age} old: exit {proc.returncode}: {result_lines}")
        assert len(result_lines) == 1, f"{age} old: expected one freshness result:\n{output[-3000:]}"
        if verdict == "ERROR":
            assert proc.returncode != 0, f"{age} old: source freshness did not fail:\n{output[-3000:]}"
            assert "ERROR" in result_lines[0], result_lines[0]
        else:
            assert proc.returncode == 0, f"{age} old: exit {proc.returncode}:\n{output[-3000:]}"
            assert verdict in result_lines[0], result_lines[0]
            other = "WARN" if verdict == "PASS" else "PASS"
            assert other not in result_lines[0] and "ERROR" not in result_lines[0], result_lines[0]


# ------------------------------------------------------------------ 3. concurrency (DuckDB)

def error_lines(output: str) -> list[str]:
    return [line for line in strip_ansi(output).splitlines() if line.startswith("error:")]


def test_second_run_is_refused_while_one_holds_the_warehouse(generated, full_build, tmp_path):
    all_dir = generated[0]
    expected = full_build("duckdb")
    env = engine_env("duckdb", warehouse_dir(tmp_path), all_dir)

    first = subprocess.Popen(
        ["make", "--no-print-directory", "run"], cwd=REPO_ROOT, env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    lines: list[str] = []
    started = threading.Event()

    def drain() -> None:
        for line in first.stdout:
            lines.append(line)
            if " START " in strip_ansi(line):
                started.set()
        started.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert started.wait(300) and first.poll() is None, "the first run ended before it started a node:\n" + "".join(lines)
        began = time.monotonic()
        second = make("run", env)
        second_seconds = time.monotonic() - began
        still_running = first.poll() is None
        first.wait(timeout=900)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    reader.join(timeout=60)
    first_output = strip_ansi("".join(lines))
    second_output = second.stdout + second.stderr
    print(f"[duckdb] second make run: exit {second.returncode} in {second_seconds:.1f}s: {error_lines(second_output)}")

    assert still_running, "the first run had finished before the second one was refused: nothing was tested"
    assert second.returncode != 0, f"the second run was not refused:\n{second_output}"
    assert second_seconds < 30, f"the second run took {second_seconds:.0f}s to be refused"
    errors = error_lines(second_output)
    assert len(errors) == 1, f"expected exactly one error: line, got {errors}:\n{second_output}"
    assert "in use" in errors[0] and "another run" in errors[0], errors[0]
    assert "Traceback" not in second_output, second_output
    assert "START" not in strip_ansi(second_output), f"the refused run started dbt:\n{second_output}"

    assert first.returncode == 0, f"the first run failed (exit {first.returncode}):\n{first_output[-5000:]}"
    assert "ERROR=0" in first_output and "Traceback" not in first_output, first_output[-5000:]
    assert_marts_equal(expected, dump_models(env, list(GRAINS)), "the run that held the lock vs a clean build")

    # another program holds the DuckDB file open for writing
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
    blocked_output = blocked.stdout + blocked.stderr
    print(f"[duckdb] make build while another program holds the file: exit {blocked.returncode}: "
          f"{error_lines(blocked_output)}")
    assert blocked.returncode != 0, f"make build ran while another program held the file:\n{blocked_output}"
    errors = error_lines(blocked_output)
    assert len(errors) == 1, f"expected exactly one error: line, got {errors}:\n{blocked_output}"
    assert "in use by another program" in errors[0], errors[0]
    assert "Traceback" not in blocked_output, blocked_output
