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
A line that cannot be read as a JSON object is kept too, with its raw text and
a `load_error` (invalid_utf8, line_too_long, not_json), so that the models
quarantine it exactly as they do on DuckDB. Blank lines are not events and are
skipped, as DuckDB's reader does.
"""

from __future__ import annotations

import glob
import json
import os
import sys
from pathlib import Path

from livepeer_analytics.warehouse import clickhouse_client

COLUMNS = ["id", "type", "timestamp", "gateway", "data", "source_file", "line_number", "raw_line", "load_error"]
BATCH_ROWS = 50_000
MAX_LINE_BYTES = 16_777_216  # the dbt var max_line_bytes


def event_files(spec: str) -> list[Path]:
    """The files LIVEPEER_EVENTS names: a file, a directory or a glob."""
    path = Path(spec).expanduser()
    if any(ch in spec for ch in "*?["):
        # every match counts: one that cannot be read is an error, not skipped
        return sorted(Path(p) for p in glob.glob(str(path), recursive=True))
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in (".ndjson", ".jsonl") and p.is_file())
    return [path] if path.exists() else []


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _reject_constant(name):
    raise ValueError(f"not JSON: {name}")


def line_row(raw: bytes, path: Path, line_number: int) -> list:
    """The table row for one line: envelope fields, or the raw text and a load_error."""
    def rejected(reason: str, text: str) -> list:
        return ["", "", "", "", "", str(path), line_number, text, reason]

    if len(raw) > MAX_LINE_BYTES:
        return rejected("line_too_long", raw[:4096].decode("utf-8", "replace"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return rejected("invalid_utf8", raw.decode("utf-8", "replace"))
    try:
        envelope = json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return rejected("not_json", text)
    if not isinstance(envelope, dict):
        return rejected("not_json", text)
    return [_text(envelope.get(column)) for column in COLUMNS[:5]] + [str(path), line_number, text, ""]


def envelope_rows(path: Path):
    """One row per non-blank line of the file."""
    with path.open("rb") as handle:
        for line_number, raw in enumerate(handle, start=1):
            raw = raw.rstrip(b"\n")
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if not raw.strip():
                continue
            yield line_row(raw, path, line_number)


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
    loaded = rejected = 0
    for path in files:
        batch = []
        for row in envelope_rows(path):
            rejected += row[-1] != ""
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                client.insert(f"{database}.streaming_events", batch, column_names=COLUMNS)
                loaded += len(batch)
                batch = []
        if batch:
            client.insert(f"{database}.streaming_events", batch, column_names=COLUMNS)
            loaded += len(batch)
    print(f"loaded {loaded} lines from {len(files)} file(s) into {database}.streaming_events"
          + (f" ({rejected} not readable as a JSON object: the models quarantine them)" if rejected else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
