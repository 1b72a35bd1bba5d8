"""Check the run's configuration before dbt starts: one clear line and exit 2 on a mistake.

    python -m livepeer_analytics.preflight

`make run` and `make test` call it. It checks DBT_TARGET, LIVEPEER_SOURCE and,
when LIVEPEER_EVENTS is set, that it names at least one readable .ndjson/.jsonl
file. An existing but empty file is fine: it builds empty views.
"""

from __future__ import annotations

import os
import sys

from livepeer_analytics.load_events import event_files
from livepeer_analytics.warehouse import duckdb_path

TARGETS = ("duckdb", "chdb", "clickhouse")
SOURCES = ("", "fixtures", "files", "table")


def problem() -> str | None:
    target = os.environ.get("DBT_TARGET", "duckdb")
    if target not in TARGETS:
        return f"DBT_TARGET={target!r} is not a target of profiles.yml: use {', '.join(TARGETS)}"
    source = os.environ.get("LIVEPEER_SOURCE", "").strip().lower()
    if source not in SOURCES:
        return f"LIVEPEER_SOURCE={source!r} must be fixtures, files or table"
    spec = os.environ.get("LIVEPEER_EVENTS", "").strip()
    if source == "files" and not spec:
        return "LIVEPEER_SOURCE=files needs LIVEPEER_EVENTS (an NDJSON file, a directory or a glob)"
    if spec:
        files = event_files(spec)
        if not files:
            return f"LIVEPEER_EVENTS={spec} names nothing to read: no such file, or no .ndjson/.jsonl file there"
        for path in files:
            try:
                with path.open("rb") as handle:
                    handle.read(1)
            except OSError as exc:
                return f"LIVEPEER_EVENTS: cannot read {path}: {exc.strerror or exc}"
    if target == "duckdb":
        database = duckdb_path()
        if not database.parent.is_dir():
            return f"LIVEPEER_DUCKDB={database}: folder {database.parent} does not exist"
    return None


def main() -> int:
    message = problem()
    if message:
        print(f"error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
