"""Is anything new since the last successful run? The hourly (or minutely) job's "nothing new" exit.

A run that would find nothing to do still costs a dbt start-up, a parse and
every node (about 20 s). So a successful run of `make build` records what it
saw, in a file beside the warehouse (the run lock's name with `.state`), and
the next run starts dbt only when something differs:

- **the project**: every file dbt reads (models, macros, seeds, tests,
  dbt_project.yml, profiles.yml) and the settings that change what it builds
  (DBT_TARGET, LIVEPEER_SOURCE, LIVEPEER_EVENTS, LIVEPEER_RAW_SCHEMA,
  CLICKHOUSE_DATABASE, the warehouse's location);
- **the input as the run found it**: in files mode each event file's path,
  size and modification time; in table mode the raw table's row count and
  newest arrival (`ingested_at`); the fixture seed is part of the project;
- **the warehouse as the run left it**: the row count and newest batch of the
  manifest of incremental runs (`livepeer_incremental_manifest`), so a dbt
  command run by hand, a killed manual run or a new warehouse file all count
  as a change.

The record is removed before a run does any work and written only after it
succeeded, so a failed or killed run leaves none: the next run starts dbt and
completes what it left (docs/incremental.md). A run that could not read its
input or the manifest before it started (a new warehouse, a raw table it had
to create) records nothing either: rows may have arrived while it ran, so the
run after it starts dbt once more. A run given dbt arguments
(`DBT_ARGS=--full-refresh`, `--select ...`) always starts dbt and records
nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from livepeer_analytics.load_events import event_files
from livepeer_analytics.warehouse import REPO_ROOT, Warehouse, clickhouse_database, target

PROJECT_PATHS = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")
PROJECT_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}
SETTINGS = ("DBT_TARGET", "LIVEPEER_SOURCE", "LIVEPEER_EVENTS", "LIVEPEER_RAW_SCHEMA", "LIVEPEER_DUCKDB",
            "LIVEPEER_CHDB_PATH", "CLICKHOUSE_HOST", "CLICKHOUSE_PORT", "CLICKHOUSE_DATABASE")


def project_digest() -> str:
    """A hash of every file dbt reads (tests/integration and other Python excluded)."""
    digest = hashlib.sha256()
    for entry in PROJECT_PATHS:
        root = REPO_ROOT / entry
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.suffix in PROJECT_SUFFIXES)
        for path in files:
            digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def source_mode() -> str:
    """LIVEPEER_SOURCE as macros/raw_events.sql decides it."""
    mode = os.environ.get("LIVEPEER_SOURCE", "").strip().lower()
    return mode or ("files" if os.environ.get("LIVEPEER_EVENTS", "").strip() else "fixtures")


def raw_table() -> str:
    return f"{os.environ.get('LIVEPEER_RAW_SCHEMA', 'raw')}.streaming_events"


class Probe:
    """Reads of the warehouse the check needs, on the current target; every value is None when it
    cannot be read (no warehouse yet, no such table): None never equals a recorded value."""

    def __init__(self) -> None:
        self._warehouse: Warehouse | None = None

    def _one(self, sql: str) -> list | None:
        try:
            if self._warehouse is None:
                self._warehouse = Warehouse(in_database=False)
            row = self._warehouse.rows(sql)[0]
        except Exception:  # any failure to read (no warehouse yet, no such table) means "cannot tell": start dbt
            return None
        return [None if value is None else str(value) for value in row]

    def manifest(self) -> list | None:
        schema = "main" if target() == "duckdb" else clickhouse_database()
        return self._one(f"select count(*), max(batch_ms) from {schema}.livepeer_incremental_manifest")

    def raw_rows(self) -> list | None:
        return self._one(f"select count(*), max(ingested_at) from {raw_table()}")

    def close(self) -> None:
        if self._warehouse is not None:
            self._warehouse.close()
            self._warehouse = None


def input_seen(probe: Probe) -> list | None:
    """What the run's input holds now (see the module's docstring)."""
    mode = source_mode()
    if mode == "files":
        files = []
        for path in event_files(os.environ.get("LIVEPEER_EVENTS", "").strip()):
            stat = path.stat()
            files.append([str(path), stat.st_size, stat.st_mtime_ns])
        return files
    if mode == "table":
        return probe.raw_rows()
    return []


class RunState:
    """The record of the last successful run, at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.probe = Probe()
        self.seen: dict | None = None

    def look(self) -> dict:
        """What this run finds before it starts (kept for `record`)."""
        self.seen = {
            "project": project_digest(),
            "settings": {name: os.environ.get(name, "") for name in SETTINGS},
            "input": input_seen(self.probe),
            "warehouse": self.probe.manifest(),
        }
        self.probe.close()
        return self.seen

    def last(self) -> dict | None:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None

    def nothing_new(self) -> dict | None:
        """The last successful run's record when nothing differs since it, else None."""
        last = self.last()
        seen = self.look()
        if not last or seen["warehouse"] is None or seen["input"] is None:
            return None
        same = all(last.get(key) == seen[key] for key in ("project", "settings", "input", "warehouse"))
        return last if same else None

    def forget(self) -> None:
        """Before a run does any work: until it succeeds, the next run must start dbt."""
        self.path.unlink(missing_ok=True)

    def record(self) -> None:
        """After a successful run: what it found before it started, and the manifest it left."""
        if self.seen is None:
            return
        state = {**self.seen, "warehouse": self.probe.manifest(), "finished_at": time.time()}
        self.probe.close()
        if state["warehouse"] is None or state["input"] is None:
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.path)


def describe_age(finished_at: float) -> str:
    seconds = max(0, int(time.time() - finished_at))
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(finished_at))
    if seconds < 120:
        return f"{when}, {seconds} s ago"
    if seconds < 7200:
        return f"{when}, {seconds // 60} min ago"
    return f"{when}, {seconds // 3600} h ago"
