"""The hourly job (`make build`, which `make run` calls): one run of the warehouse.

    python -m livepeer_analytics.build [extra dbt build arguments, e.g. --full-refresh]
    python -m livepeer_analytics.build --nightly [extra dbt test arguments]

`--nightly` (`make nightly`) runs every data test over every row (`dbt test`)
under the same lock, instead of steps 3 and 4.

1. Checks the configuration (`preflight`): a mistake is one line and exit 2.
2. Takes the warehouse's run lock, so two runs never write the same warehouse
   at once: a second run while one is going ends at once with one line
   ("... is in use by another run") and exit 2, and touches nothing. The lock
   is an advisory `flock` on a file beside the warehouse (`<duckdb file>.lock`,
   `<chdb folder>.lock`, or for a ClickHouse server `.livepeer-clickhouse-<host>-
   <database>.lock` in this folder); the kernel releases it when the run ends,
   however it ends (a killed run leaves no stale lock).
3. On a ClickHouse target with LIVEPEER_EVENTS set, loads the files that are
   new or changed since they were last ingested into the raw table
   (`load_events`, which replaces its contents; every file on --full-refresh),
   creating the table first (`dbt run-operation create_streaming_events_table`)
   only when it is missing or lacks a column.
   DuckDB reads the files itself and skips the same ones (macros/raw_events.sql).
4. Runs `dbt build` with its data tests (unit tests are code checks and run in
   `make test`), holding the lock until dbt exits.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

from livepeer_analytics import load_events, preflight
from livepeer_analytics.warehouse import REPO_ROOT, target

DBT_BUILD = ["build", "--exclude", "resource_type:unit_test"]
DBT_NIGHTLY = ["test", "--exclude", "resource_type:unit_test"]


def dbt_command() -> list[str]:
    """dbt through the project's launcher (livepeer_analytics/dbt_cli.py), on every target."""
    return [sys.executable, "-m", "livepeer_analytics.dbt_cli"]


def lock_path() -> Path:
    if target() == "duckdb":
        return Path(os.environ.get("LIVEPEER_DUCKDB") or "livepeer.duckdb").resolve().with_suffix(".duckdb.lock")
    if target() == "chdb":
        return Path(str(Path(os.environ.get("LIVEPEER_CHDB_PATH") or REPO_ROOT / ".chdb").resolve()) + ".lock")
    host = os.environ.get("CLICKHOUSE_HOST", "localhost")
    database = os.environ.get("CLICKHOUSE_DATABASE", "livepeer")
    return REPO_ROOT / f".livepeer-clickhouse-{host}-{database}.lock"


def take_run_lock(path: Path, wait_s: float = 2.0) -> int | None:
    """An open descriptor holding the exclusive lock, or None when another run holds it.

    The read API (livepeer_analytics/api) holds the lock SHARED for the
    moment it opens a read-only connection, so a short wait (`wait_s`) tells
    those moments apart from another run, which holds it for minutes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                return None
            time.sleep(0.01)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def holder(path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        pid = ""
    return f" (pid {pid})" if pid.isdigit() else ""


def duckdb_in_use() -> str | None:
    """Why the DuckDB file cannot be opened for writing (another program holds it), else None.

    Read-only holders (the read API's requests, which stop opening the file
    once this run holds the run lock) are waited for, at most
    LIVEPEER_READER_WAIT_S seconds (default 15, above the API's query timeout).
    """
    import duckdb

    path = Path(os.environ.get("LIVEPEER_DUCKDB") or "livepeer.duckdb").resolve()
    deadline = time.monotonic() + float(os.environ.get("LIVEPEER_READER_WAIT_S") or 15)
    while True:
        try:
            duckdb.connect(str(path)).close()
            return None
        except duckdb.Error as exc:
            text = str(exc)
            first_line = text.splitlines()[0]
            if "lock" not in first_line.lower():
                return f"cannot open {path}: {first_line}"
            # DuckDB adds this hint when the holder is a read-only connection
            readers_only = "would be able to open this database in read-only mode" in text
            if not readers_only or time.monotonic() >= deadline:
                return f"{path} is in use by another program: {first_line}"
            time.sleep(0.1)


def run(command: list[str], what: str) -> None:
    result = subprocess.run(command, cwd=REPO_ROOT)
    if result.returncode != 0:
        print(f"error: {what} failed (exit {result.returncode})", file=sys.stderr)
        sys.exit(result.returncode)


def main(argv: list[str]) -> int:
    message = preflight.problem()
    if message:
        print(f"error: {message}", file=sys.stderr)
        return 2

    path = lock_path()
    fd = take_run_lock(path)
    if fd is None:
        print(f"error: the warehouse is in use by another run{holder(path)} (lock {path}): "
              "wait for it to finish, then run again", file=sys.stderr)
        return 2
    if target() == "duckdb":
        message = duckdb_in_use()
        if message:
            print(f"error: {message}", file=sys.stderr)
            return 2

    dbt = dbt_command()
    nightly = argv[:1] == ["--nightly"]
    if nightly:
        argv = argv[1:]
    elif target() != "duckdb" and os.environ.get("LIVEPEER_EVENTS", "").strip():
        load = [sys.executable, "-m", "livepeer_analytics.load_events"]
        load += ["--all"] if "--full-refresh" in argv else []
        loaded = subprocess.run(load, cwd=REPO_ROOT)
        if loaded.returncode == load_events.NO_TABLE:
            # first run (or a table from before the file ledger): create or extend it, then load
            run(dbt + ["run-operation", "create_streaming_events_table", "--target", target()],
                "creating the raw table")
            loaded = subprocess.run(load, cwd=REPO_ROOT)
        if loaded.returncode != 0:
            print(f"error: loading LIVEPEER_EVENTS failed (exit {loaded.returncode})", file=sys.stderr)
            return loaded.returncode

    # dbt replaces this process and inherits the locked descriptor: the lock
    # is held until dbt exits, however it exits.
    os.set_inheritable(fd, True)
    command = dbt + (DBT_NIGHTLY if nightly else DBT_BUILD) + ["--target", target()] + argv
    sys.stdout.flush()
    os.chdir(REPO_ROOT)
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
