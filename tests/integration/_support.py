"""Support code for the integration tests (paths, builds, queries).

Every build runs the user's own command, `make build` (what `make run` runs:
dbt build with its data tests, under the run lock), into a throw-away
warehouse. The builds several tests read are made once per pytest session
and shared (conftest.py, `_matrix.py`); tests that need a warehouse of their
own (histories of hourly runs, fuzzing) make it here.

The real-event fixtures live outside the project, in `<repo>/../shared/fixtures/`.
They are read in place at test time and never copied; a fresh clone has no
such folder, so the tests that need it skip.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = REPO_ROOT.parent / "shared" / "fixtures"

PROD_SNAPSHOT_DIR = FIXTURES_DIR / "livepeer_prod" / "prod_snapshot_20260224T210620Z"
PROD_EVENTS = PROD_SNAPSHOT_DIR / "events.ndjson"
PROD_LABELS = PROD_SNAPSHOT_DIR / "labels.csv"

STREAM_2026_01_08_DIR = FIXTURES_DIR / "livepeer_events_2026-01-08"
STREAM_2026_01_08_EVENTS = STREAM_2026_01_08_DIR / "streaming_events.ndjson"

# The grain of every mart the end-to-end tests compare (keys of assert_tables_equal).
MART_GRAINS = {
    "fct_workflow_sessions": ["session_key"],
    "fct_status_samples": ["event_id"],
    "fct_payments": ["event_id"],
    "v_api_gpu_metrics": ["window_start", "orchestrator_address", "pipeline", "model_id", "gpu_id", "region"],
    "v_api_network_demand": ["window_start", "gateway", "region", "pipeline", "model_id"],
    "v_api_sla_compliance": ["window_start", "orchestrator_address", "pipeline", "model_id", "gpu_id", "region"],
    "fct_session_ingest_quality": ["session_key"],
    "v_api_ingest_quality": ["window_start", "gateway", "region", "pipeline", "model_id"],
    "fct_gpu_supply": ["snapshot_event_id", "entry_index", "hardware_index", "gpu_slot"],
    "v_api_gpu_supply": ["window_start", "orchestrator_address", "pipeline", "model_id", "gpu_id"],
    "v_api_supply_demand": ["window_start", "model_id"],
    "v_api_gpu_price_performance": ["window_start", "orchestrator_address", "pipeline", "model_id", "gpu_id"],
}

# Environment variables that would redirect the build away from what the test
# asked for; they are removed from the child's environment and set explicitly.
_CONTROLLED_ENV = (
    "LIVEPEER_EVENTS",
    "LIVEPEER_DUCKDB",
    "DBT_PROFILES_DIR",
    "DBT_TARGET",
    "DBT_TARGET_PATH",
    "DBT_LOG_PATH",
    "DBT_PROJECT_DIR",
    "LIVEPEER_CHDB_PATH",
    "LIVEPEER_SOURCE",
)

_DBT_OUTPUT_TAIL_CHARS = 20_000


def require_fixture(path: Path) -> Path:
    """Skip the calling test when a shared fixture file or folder is absent."""
    if not FIXTURES_DIR.is_dir():
        pytest.skip(f"shared fixtures folder not present: {FIXTURES_DIR}")
    if not path.exists():
        pytest.skip(f"shared fixture not present: {path}")
    return path


# Engines as test parameters: the chdb ones carry the `chdb` marker (pyproject.toml).
ENGINES = ["duckdb", pytest.param("chdb", marks=pytest.mark.chdb)]


def history_engines(kind: str, engines: tuple[str, ...] = ("duckdb", "chdb")) -> list:
    """ENGINES for the tests that read a history of hourly runs (_histories.py, `kind` files or
    table). Their ids (`[chdb-files-history]`) put each history's tests in one test process
    (conftest.py, the scheduler), which makes the history while the other process does other
    work, instead of both waiting for one."""
    marks = {"duckdb": (), "chdb": (pytest.mark.chdb,)}
    return [pytest.param(engine, marks=marks[engine], id=f"{engine}-{kind}-history") for engine in engines]


# Partial parsing (docs/development.md, "Parsing"): conftest points this at a
# folder shared by the session's test processes. A new warehouse's target
# folder starts with the newest parse of the project on its engine, so dbt
# re-parses only what its environment changes (the files reading
# LIVEPEER_EVENTS); every successful build offers its parse back.
PARSE_CACHE_ENV = "LIVEPEER_TEST_PARSE_CACHE"
_PARSE_FILE = "partial_parse.msgpack"


def _parse_cache(engine: str) -> Path | None:
    root = os.environ.get(PARSE_CACHE_ENV)
    return Path(root) / f"{engine}.msgpack" if root else None


def _seed_parse(engine: str, target_path: Path) -> None:
    cached = _parse_cache(engine)
    if cached is not None and cached.is_file() and not (target_path / _PARSE_FILE).exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target_path / _PARSE_FILE)


def offer_parse(env: dict) -> None:
    """After a successful dbt run: keep its parse for the next new warehouse (atomic replace)."""
    cached = _parse_cache(env["DBT_TARGET"])
    produced = Path(env["DBT_TARGET_PATH"]) / _PARSE_FILE
    if cached is not None and produced.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        shutil.copyfile(produced, partial)
        os.replace(partial, cached)


def engine_env(engine: str, work_dir: Path, events_path: Path | None = None, **extra: str) -> dict:
    """The environment of a run on `engine` ('duckdb' or 'chdb') whose warehouse lives in work_dir."""
    work_dir.mkdir(parents=True, exist_ok=True)
    _seed_parse(engine, work_dir / "target")
    env = {k: v for k, v in os.environ.items() if k not in _CONTROLLED_ENV}
    env.update(
        {
            "DBT_PROFILES_DIR": str(REPO_ROOT),
            "DBT_TARGET": engine,
            "DBT_TARGET_PATH": str(work_dir / "target"),
            "DBT_LOG_PATH": str(work_dir / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    if engine == "duckdb":
        env["LIVEPEER_DUCKDB"] = str(work_dir / "warehouse.duckdb")
    else:
        env["LIVEPEER_CHDB_PATH"] = str(work_dir / "chdb")
    if events_path is not None:
        env["LIVEPEER_EVENTS"] = str(events_path)
    env.update(extra)
    return env


def make(target: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    """`make <target>` in the repository, as a user runs it (output captured)."""
    return subprocess.run(
        ["make", "--no-print-directory", target, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def _tail(proc: subprocess.CompletedProcess) -> str:
    output = (proc.stdout or "") + (proc.stderr or "")
    if len(output) > _DBT_OUTPUT_TAIL_CHARS:
        output = "...\n" + output[-_DBT_OUTPUT_TAIL_CHARS:]
    return output


def make_build(engine: str, events_path: Path | None, work_dir: Path, **extra: str) -> dict:
    """`make build` (the hourly job: dbt build WITH its data tests) on `engine`; return its env.

    Fails the test with dbt's output when the build fails.
    """
    env = engine_env(engine, work_dir, events_path, **extra)
    proc = make("build", env)
    if proc.returncode != 0:
        pytest.fail(
            f"make build failed (exit {proc.returncode}) on {engine} for "
            f"LIVEPEER_EVENTS={events_path if events_path is not None else '<unset>'}\n\n{_tail(proc)}",
            pytrace=False,
        )
    offer_parse(env)
    return env


def query(db_path: Path, sql: str, params=None) -> list[tuple]:
    """Run one query read-only against a built warehouse."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def query_dicts(db_path: Path, sql: str, params=None) -> list[dict]:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        cur = con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]
    finally:
        con.close()


# ---------------------------------------------------------------- reading

def dump_models(env: dict, models: list[str]) -> dict:
    """Rows of the models in canonical JSON form, read in a child process."""
    import json

    cmd = [sys.executable, str(Path(__file__).with_name("_dump.py")), *models]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"reading {models} failed:\n{proc.stdout}{proc.stderr}", pytrace=False)
    return json.loads(proc.stdout)


def query_engine(env: dict, queries: dict) -> dict:
    """Run {name: sql} on the warehouse of `env` (any engine) in a child process (see _query.py)."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("_query.py"))],
        input=json.dumps(queries), cwd=REPO_ROOT, env=env, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"querying the warehouse failed:\n{proc.stdout[-4000:]}{proc.stderr[-4000:]}", pytrace=False)
    return json.loads(proc.stdout)


def rows_of(table: dict) -> list[dict]:
    """A dumped table's rows as dicts."""
    return [dict(zip(table["columns"], row)) for row in table["rows"]]


def without_columns(table: dict, *names: str) -> dict:
    """A dumped table without some columns (e.g. loaded_ms, which says when a row was written)."""
    keep = [i for i, column in enumerate(table["columns"]) if column not in names]
    return {"columns": [table["columns"][i] for i in keep], "rows": [[row[i] for i in keep] for row in table["rows"]]}


def duckdb_env(db_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _CONTROLLED_ENV}
    env.update({"DBT_TARGET": "duckdb", "LIVEPEER_DUCKDB": str(db_path)})
    return env


# ---------------------------------------------------------------- comparing

def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, str)


def values_equal(left, right) -> bool:
    """Strings and keys exactly; numbers (booleans as 0/1) within 1e-9 relative."""
    import math

    if left is None or right is None:
        return left is None and right is None
    if _is_number(left) and _is_number(right):
        if isinstance(left, float) and isinstance(right, float) and math.isnan(left) and math.isnan(right):
            return True
        return math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=0.0)
    return left == right


def keyed(table: dict, grain: list[str]) -> dict:
    positions = [table["columns"].index(column) for column in grain]
    rows = {}
    for row in table["rows"]:
        key = tuple(row[p] for p in positions)
        assert key not in rows, f"duplicate grain {key}"
        rows[key] = row
    return rows


def assert_tables_equal(expected: dict, actual: dict, grain: list[str]) -> None:
    """Same columns, same grain keys, equal values (see values_equal)."""
    assert expected["columns"] == actual["columns"]
    expected_rows = keyed(expected, grain)
    actual_rows = keyed(actual, grain)
    missing = sorted(set(expected_rows) - set(actual_rows), key=repr)
    extra = sorted(set(actual_rows) - set(expected_rows), key=repr)
    assert not missing and not extra, (
        f"{len(missing)} rows missing, e.g. {missing[:3]}; {len(extra)} extra, e.g. {extra[:3]}")
    differences = [
        (key, column, expected_rows[key][i], actual_rows[key][i])
        for key in expected_rows
        for i, column in enumerate(expected["columns"])
        if not values_equal(expected_rows[key][i], actual_rows[key][i])
    ]
    assert not differences, f"{len(differences)} values differ, first: {differences[:5]}"


# ---------------------------------------------------------------- faults

VENV_BIN = REPO_ROOT / ".venv" / "bin"


def require_engine(engine: str) -> None:
    """Skip a chdb test when the in-process ClickHouse engine cannot be imported."""
    if engine == "chdb":
        try:
            import chdb  # noqa: F401
        except ImportError as exc:
            pytest.skip(f"chdb cannot be imported: {exc}")


def dbt_command(engine: str) -> list[str]:
    """dbt as make runs it on any engine: the project's launcher (run with cwd=REPO_ROOT)."""
    return [str(VENV_BIN / "python"), "-m", "livepeer_analytics.dbt_cli"]


def run_command(command: list[str], env: dict, input: str | None = None) -> subprocess.CompletedProcess:
    """Any command from the repository folder (output captured, never raises on failure)."""
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, input=input)


def output_of(proc: subprocess.CompletedProcess) -> str:
    return _tail(proc)


def strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def node_started(node: str) -> str:
    """A regex matching dbt's START line of model `node` (any schema, any materialization)."""
    return rf"START sql [a-z ]+ model \S*\.[`\"]?{node}\b"


def node_created(node: str) -> str:
    """A regex matching dbt's `OK created` line of model `node`: the node and its post-hook are done."""
    return rf"OK created sql [a-z ]+ model \S*\.[`\"]?{node}\b"


class KilledRun:
    def __init__(self, returncode: int, output: str, matched: str | None, seconds: float) -> None:
        self.returncode = returncode
        self.output = output
        self.matched = matched
        self.seconds = seconds


def make_killed_at(target: str, env: dict, pattern: str, timeout: float = 900.0) -> KilledRun:
    """Start `make <target>` in its own process group; SIGKILL the whole group when a line matches `pattern`.

    Returns the exit status (negative signal number for make, the group
    leader), the output read, and the line that triggered the kill (None if
    no line matched: the run then ended on its own).
    """
    import re
    import signal
    import time

    regex = re.compile(pattern)
    started = time.monotonic()
    proc = subprocess.Popen(
        ["make", "--no-print-directory", target],
        cwd=REPO_ROOT,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    matched = None
    try:
        for line in proc.stdout:
            lines.append(line)
            if matched is None and regex.search(strip_ansi(line)):
                matched = strip_ansi(line).strip()
                os.killpg(proc.pid, signal.SIGKILL)
            if time.monotonic() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail(f"make {target} did not reach {pattern!r} within {timeout:.0f}s", pytrace=False)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()
    return KilledRun(proc.returncode, "".join(lines), matched, time.monotonic() - started)


# ------------------------------------------------------------------ the API server (test_api, test_dashboard)

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a child server (kill it after 20 s) and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def as_the_job():
    """Hold the run lock and the DuckDB file as a job run does (the read API answers 503 meanwhile and
    closes the file), for a test that writes to a served warehouse as the job would."""
    from livepeer_analytics import build
    from livepeer_analytics.warehouse import lock_path

    fd = build.take_run_lock(lock_path())
    assert fd is not None, "the run lock is held"
    try:
        assert build.duckdb_in_use() is None
        yield
    finally:
        os.close(fd)


class Server:
    """`python -m livepeer_analytics.api` in a child process on a free loopback port."""

    def __init__(self, env: dict, **settings: str):
        self.port = free_port()
        env = {**env, "LIVEPEER_API_RATE_LIMIT": "0", **settings}
        env.pop("LIVEPEER_API_TOKEN", None) if "LIVEPEER_API_TOKEN" not in settings else None
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "livepeer_analytics.api", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the API server exited: {self.proc.stdout.read()}", pytrace=False)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("the API server did not start within 60 s", pytrace=False)

    def get(self, path: str, params=None, headers=None) -> tuple[int, dict, str]:
        url = f"http://127.0.0.1:{self.port}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    def json(self, path: str, params=None, headers=None) -> dict:
        status, _, body = self.get(path, params, headers)
        assert status == 200, f"{path} {params}: {status} {body}"
        return json.loads(body)

    def all_rows(self, path: str, params: dict, limit: int = 10000) -> list[dict]:
        rows, cursor, pages = [], None, 0
        while True:
            page = self.json(path, {**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
            rows += page["rows"]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                return rows
            assert pages < 10000, "pagination does not end"

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc.stdout.close()
