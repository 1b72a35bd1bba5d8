"""Load NDJSON gateway events into the ClickHouse `streaming_events` table.

    python -m livepeer_analytics.load_events

For trials and tests on the `chdb` and `clickhouse` targets (`make run` calls
it when LIVEPEER_EVENTS is set). In production the table is fed from Kafka
instead (README, "Running in production on ClickHouse"). The table must exist:
`dbt run-operation create_streaming_events_table` creates it.

LIVEPEER_EVENTS names a file, a directory (every *.ndjson / *.jsonl below it)
or a glob, exactly as on DuckDB. The table's contents are replaced by the
lines of those files; each line keeps its envelope fields as text and its
`data` as the JSON text it held (an object/array, or the string that held JSON).
"""

from __future__ import annotations

import glob
import json
import os
import sys
from pathlib import Path

from livepeer_analytics.warehouse import clickhouse_client

COLUMNS = ["id", "type", "timestamp", "gateway", "data", "source_file"]
BATCH_ROWS = 50_000


def event_files(spec: str) -> list[Path]:
    """The files LIVEPEER_EVENTS names: a file, a directory or a glob."""
    path = Path(spec).expanduser()
    if any(ch in spec for ch in "*?["):
        files = [Path(p) for p in glob.glob(str(path), recursive=True)]
    elif path.is_dir():
        files = [p for p in path.rglob("*") if p.suffix.lower() in (".ndjson", ".jsonl")]
    else:
        files = [path] if path.exists() else []
    return sorted(p for p in files if p.is_file())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def envelope_rows(path: Path):
    """One row per JSON-object line; other lines are skipped (counted by the caller)."""
    with path.open("rb") as handle:
        for raw in handle:
            try:
                envelope = json.loads(raw)
            except ValueError:
                yield None
                continue
            if not isinstance(envelope, dict):
                yield None
                continue
            yield [_text(envelope.get(column)) for column in COLUMNS[:5]] + [str(path)]


def main() -> int:
    spec = os.environ.get("LIVEPEER_EVENTS", "").strip()
    if not spec:
        print("error: LIVEPEER_EVENTS is not set: name an NDJSON file, a directory or a glob", file=sys.stderr)
        return 2
    files = event_files(spec)
    if not files:
        print(f"error: LIVEPEER_EVENTS={spec} names no .ndjson/.jsonl file", file=sys.stderr)
        return 2

    database = os.environ.get("LIVEPEER_RAW_SCHEMA", "raw")
    client = clickhouse_client()
    client.command(f"truncate table {database}.streaming_events")
    loaded = skipped = 0
    for path in files:
        batch = []
        for row in envelope_rows(path):
            if row is None:
                skipped += 1
                continue
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                client.insert(f"{database}.streaming_events", batch, column_names=COLUMNS)
                loaded += len(batch)
                batch = []
        if batch:
            client.insert(f"{database}.streaming_events", batch, column_names=COLUMNS)
            loaded += len(batch)
    print(f"loaded {loaded} events from {len(files)} file(s) into {database}.streaming_events"
          + (f"; skipped {skipped} line(s) that are not JSON objects" if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
