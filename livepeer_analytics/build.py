"""The hourly (or minutely) job (`make build`; `make run` adds the summary): one run of the warehouse.

    python -m livepeer_analytics.build [--summary] [--force] [extra dbt build arguments, e.g. --full-refresh]
    python -m livepeer_analytics.build --nightly [extra dbt test arguments]

`--nightly` (`make nightly`) runs every data test over every row (`dbt test`)
under the same lock, instead of steps 4 to 6.

1. Checks the configuration (`preflight`): a mistake is one line and exit 2.
2. Takes the warehouse's run lock, so two runs never write the same warehouse
   at once: a run that starts while another holds it ends at once with one
   line ("skipped: ... is in use by another run") and exit 0, and touches
   nothing: on a one-minute schedule an overlapping start is not a failure.
   The lock is an advisory `flock` on a file beside the warehouse
   (`<duckdb file>.lock`, `<chdb folder>.lock`, or for a ClickHouse server
   `.livepeer-clickhouse-<host>-<database>.lock` in this folder); the kernel
   releases it when the run ends, however it ends (a killed run leaves no
   stale lock).
3. Nothing new (`run_state`): when no event file, raw row, project file or
   setting changed since the last successful run, and no run failed or was
   killed since, says so in one line and exits 0 without starting dbt
   (`--force`, `DBT_ARGS=--force make build`, starts it anyway).
4. The raw table looks after itself: in table mode (and on ClickHouse in files
   mode, where the loader fills it) a missing table is created and a table an
   older version made gets the columns it lacks (`create_streaming_events_table`,
   run in this process only then), before anything reads it.
5. On a ClickHouse target in files mode, loads the files that are new or
   changed since they were last ingested into the raw table (`load_events`,
   which replaces its contents; every file on --full-refresh).
   DuckDB reads the files itself and skips the same ones (macros/raw_events.sql).
6. Runs `dbt build` with its data tests (unit tests are code checks and run in
   `make test`), in this process (one dbt start-up per run), holding the lock
   until it ends; then records the run for step 3 when it succeeded.

Every run that holds the lock records itself in the warehouse's run history
(`job_runs`, livepeer_analytics/run_history.py): a `started` row before step 4
and its outcome (success, failed, nothing_new) at the end, with its batch,
lines, sessions, failed nodes and phases; a killed run keeps only its
`started` row, and the next run names it in one `note:` line.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path

from livepeer_analytics import dbt_cli, load_events, preflight, run_history, run_state
from livepeer_analytics.warehouse import (
    REPO_ROOT,
    Warehouse,
    WarehouseError,
    duckdb_connect,
    duckdb_path,
    lock_path,
    state_path,
    target,
)

DBT_BUILD = ["build", "--exclude", "resource_type:unit_test"]
DBT_NIGHTLY = ["test", "--exclude", "resource_type:unit_test"]


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

    path = duckdb_path()
    deadline = time.monotonic() + float(os.environ.get("LIVEPEER_READER_WAIT_S") or 15)
    while True:
        try:
            duckdb_connect(read_only=False).close()
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


class Phases:
    """Where a run's time goes, printed as its last line (`run: 12.3 s (start 2.0, checks 0.1, ...)`):
    start (Python and the job's imports, before `main`), checks (configuration, lock, nothing new),
    raw table, load, dbt set-up (importing dbt, parsing, the adapter, up to the first node), nodes (first
    node started to last node finished), dbt wrap-up, close (DuckDB's checkpoint) and record."""

    def __init__(self) -> None:
        self.began = time.monotonic() - process_age()
        self.mark = time.monotonic()
        self.seconds: dict[str, float] = {"start": self.mark - self.began}
        self.first_node: float | None = None
        self.last_node: float | None = None
        self.nodes_failed = 0
        self.reported = False

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self.mark
        self.mark = now

    def on_dbt_event(self, event) -> None:
        name = event.info.name
        if name == "NodeStart" and self.first_node is None:
            self.first_node = time.monotonic()
        elif name == "NodeFinished":
            self.last_node = time.monotonic()
            status = str(getattr(getattr(event.data, "run_result", None), "status", "")).lower()
            if status in ("error", "fail", "runtime error"):
                self.nodes_failed += 1

    def dbt_done(self) -> None:
        """Split the dbt invocation that just ended into set-up, nodes and wrap-up."""
        now = time.monotonic()
        first, last = self.first_node or now, self.last_node or now
        for name, seconds in (("dbt set-up", first - self.mark), ("nodes", last - first), ("dbt wrap-up", now - last)):
            self.seconds[name] = self.seconds.get(name, 0.0) + max(0.0, seconds)
        self.mark = now

    def report(self) -> None:
        """Print the line once, when more than the checks ran (dbt or the loader)."""
        if self.seconds.keys() - {"start", "checks"} and not self.reported:
            self.reported = True
            parts = ", ".join(f"{name} {seconds:.1f}" for name, seconds in self.seconds.items())
            print(f"run: {time.monotonic() - self.began:.1f} s ({parts})", flush=True)


def process_age() -> float:
    """Seconds since this process started (Linux /proc; 0 elsewhere)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


RAW_COLUMNS = [*load_events.COLUMNS, "ingested_at"]  # what the models read of the raw table


def raw_table_missing_columns() -> list[str]:
    """The raw table's columns the models need that it lacks (all of them when there is no table)."""
    schema, name = (part.replace("'", "''") for part in run_state.raw_table().split(".", 1))
    try:
        warehouse = Warehouse(in_database=False)
    except WarehouseError:  # no DuckDB file yet
        return RAW_COLUMNS
    try:
        present = {row[0].lower() for row in warehouse.rows(
            "select column_name from information_schema.columns"
            f" where table_schema = '{schema}' and table_name = '{name}'")}
    finally:
        warehouse.close()
    return [column for column in RAW_COLUMNS if column not in present]


def ensure_raw_table() -> str | None:
    """Create the raw table, or add the columns it lacks, when it needs it; why it could not, else None."""
    missing = raw_table_missing_columns()
    if not missing:
        return None
    statements: list[str] = []

    def capture(event) -> None:
        message = getattr(event.data, "msg", "")
        if event.info.name == "JinjaLogInfo" and message.startswith("livepeer raw table ddl: "):
            statements.append(message.removeprefix("livepeer raw table ddl: "))

    code = dbt_cli.invoke(["run-operation", "create_streaming_events_table", "--target", target()],
                          callbacks=[capture])
    dbt_cli.release_duckdb()
    still_missing = raw_table_missing_columns()
    if code == 0 and not still_missing:
        return None
    todo = "; ".join(statements) or "dbt run-operation create_streaming_events_table"
    return (f"{run_state.raw_table()} lacks column(s) {', '.join(still_missing or missing)} and this run could not "
            f"add them (see above): run `{todo}` as a user allowed to, then run again")


def main(argv: list[str]) -> int:
    phases = Phases()
    code = run(argv, phases)
    phases.report()
    return code


def run(argv: list[str], phases: Phases) -> int:
    message = preflight.problem()
    if message:
        print(f"error: {message}", file=sys.stderr)
        return 2
    summary, force = "--summary" in argv, "--force" in argv
    argv = [arg for arg in argv if arg not in ("--summary", "--force")]
    nightly = argv[:1] == ["--nightly"]
    if nightly:
        argv = argv[1:]

    path = lock_path()
    fd = take_run_lock(path)
    if fd is None:
        print(f"skipped: the warehouse is in use by another run{holder(path)} (lock {path}); "
              "this start does nothing", file=sys.stderr)
        return 0
    if target() == "duckdb":
        message = duckdb_in_use()
        if message:
            print(f"error: {message}", file=sys.stderr)
            return 2

    state = run_state.RunState(state_path())
    history = run_history.RunHistory(run_state.source_mode(), "nightly" if nightly else "")
    if not nightly:
        last = None if argv or force else state.nothing_new()
        if last:
            print(f"nothing new since the last successful run ({run_state.describe_age(last['finished_at'])}): "
                  "no new event file, raw row or project change; dbt not started")
            history.nothing_new()
            return print_summary() if summary else 0
        state.forget()
        history.start()
        phases.done("checks")
        code = prepare_raw_table(argv, phases)
        if code:
            history.finish("failed", phases.seconds, None)
            return code
    else:
        history.start()
        phases.done("checks")

    sys.stdout.flush()
    os.chdir(REPO_ROOT)
    code = dbt_cli.invoke((DBT_NIGHTLY if nightly else DBT_BUILD) + ["--target", target()] + argv,
                          callbacks=[phases.on_dbt_event])
    phases.dbt_done()
    dbt_cli.release_duckdb()
    phases.done("close")
    if code != 0:
        history.finish("failed", phases.seconds, phases.nodes_failed)
        return code
    if not nightly and not argv:
        state.record()
    history.finish("success", phases.seconds, phases.nodes_failed)
    phases.done("record")
    phases.report()
    return print_summary() if summary else 0


def prepare_raw_table(argv: list[str], phases: Phases) -> int:
    """Steps 4 and 5: the raw table ready (table mode; files mode on ClickHouse) and, on ClickHouse in
    files mode, the new files loaded into it. 0, or the run's exit status when it cannot go on."""
    mode = run_state.source_mode()
    clickhouse_files = mode == "files" and target() != "duckdb"
    if mode == "table" or clickhouse_files:
        message = ensure_raw_table()
        phases.done("raw table")
        if message:
            print(f"error: {message}", file=sys.stderr)
            return 2
    if clickhouse_files:
        loaded = load_events.main(["--all"] if "--full-refresh" in argv else [])
        phases.done("load")
        if loaded != 0:
            print(f"error: loading LIVEPEER_EVENTS failed (exit {loaded})", file=sys.stderr)
            return loaded
    return 0


def print_summary() -> int:
    from livepeer_analytics import summary

    sys.stdout.flush()
    return summary.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
