"""Load NDJSON gateway events into the raw `streaming_events` table.

    python -m livepeer_analytics.load_events [--append]

On the `chdb` and `clickhouse` targets `make run` calls it when LIVEPEER_EVENTS
is set: the table's contents are then replaced by the files that are NEW or
CHANGED since the warehouse last ingested them (the delivery ledger,
`stg_livepeer__deliveries`, records each file's path, size and modification
time in the same statement that writes its lines; `--all` loads every file,
as `make run DBT_ARGS=--full-refresh` does). With
`--append` the lines are added, as a producer feeding the table does: that is
how to try the production path (`LIVEPEER_SOURCE=table`) on any target,
DuckDB included. In production the table is fed from Kafka instead (docs/production-clickhouse.md). The table must exist: `dbt
run-operation create_streaming_events_table` creates it. Every row gets the
table's own arrival time (`ingested_at`, now), or the one given with
`--ingested-at 2026-03-02T10:00:00Z` (replaying archived files with the hour
they arrived in).

LIVEPEER_EVENTS names a file, a directory (every *.ndjson / *.jsonl below it)
or a glob, exactly as on DuckDB. Each row records its file (path, size,
modification time) and line number; each line keeps its envelope fields as text and its
`data` as the JSON text it held (an object/array, or the string that held JSON).
A line that cannot be read as a JSON object is kept too, with its raw text and
a `load_error` (invalid_utf8, line_too_long, not_json), so that the models
quarantine it exactly as they do on DuckDB. Blank lines are not events and are
skipped, as DuckDB's reader does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import sys
from pathlib import Path

from livepeer_analytics.warehouse import clickhouse_client, clickhouse_database, target

COLUMNS = ["id", "type", "timestamp", "gateway", "data", "source_file", "line_number", "raw_line", "load_error",
           "source_file_size", "source_file_modified_us"]
LEDGER = "stg_livepeer__deliveries"
NO_TABLE = 3  # exit status when the raw table is missing or lacks a column (create it, then load again)
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


def file_identity(path: Path) -> tuple[str, int, int]:
    """What the ledger records of a file: path, size in bytes, modification time in epoch microseconds."""
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns // 1000


def envelope_rows(path: Path):
    """One row per non-blank line of the file."""
    _, size, modified_us = file_identity(path)
    with path.open("rb") as handle:
        for line_number, raw in enumerate(handle, start=1):
            raw = raw.rstrip(b"\n")
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if not raw.strip():
                continue
            yield line_row(raw, path, line_number) + [size, modified_us]


def _utc_time(text: str) -> dt.datetime:
    """An ISO 8601 time; without an offset it is UTC."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


class DuckDBTable:
    """The raw table in the DuckDB file (LIVEPEER_DUCKDB); one transaction, so one arrival time."""

    def __init__(self, table: str) -> None:
        import duckdb

        self.table = table
        self.con = duckdb.connect(os.environ.get("LIVEPEER_DUCKDB") or "livepeer.duckdb")
        self.con.execute("begin transaction")

    def truncate(self) -> None:
        self.con.execute(f"delete from {self.table}")

    def insert(self, rows: list[list], columns: list[str]) -> None:
        placeholders = ", ".join("?" for _ in columns)
        self.con.executemany(f"insert into {self.table} ({', '.join(columns)}) values ({placeholders})", rows)

    def close(self) -> None:
        self.con.execute("commit")
        self.con.close()


class ClickHouseTable:
    def __init__(self, table: str) -> None:
        self.table = table
        self.client = clickhouse_client()

    def truncate(self) -> None:
        self.client.command(f"truncate table {self.table}")

    def insert(self, rows: list[list], columns: list[str]) -> None:
        self.client.insert(self.table, rows, column_names=columns)

    def ready(self) -> bool:
        """The table exists with every column the loader writes."""
        schema, name = self.table.split(".", 1)
        present = self.client.query(
            "select count() from system.columns where database = {schema:String} and table = {name:String}"
            " and name in {columns:Array(String)}",
            parameters={"schema": schema, "name": name, "columns": COLUMNS},
        ).result_rows[0][0]
        return int(present) == len(COLUMNS)

    def ingested_files(self) -> set[tuple[str, int, int]]:
        """(path, size, modified_us) of every file the delivery ledger holds (empty before the first build)."""
        database = clickhouse_database()
        exists = self.client.command(f"exists table `{database}`.`{LEDGER}`")
        if not int(exists):
            return set()
        rows = self.client.query(
            f"select distinct source_file, source_file_size, source_file_modified_us from `{database}`.`{LEDGER}`"
            " where source_file_size is not null"
        ).result_rows
        return {(path, int(size), int(modified)) for path, size, modified in rows}

    def close(self) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load LIVEPEER_EVENTS into the raw streaming_events table.")
    parser.add_argument("--append", action="store_true",
                        help="add the lines to the table (default: replace its contents)")
    parser.add_argument("--all", action="store_true",
                        help="replace the table's contents with every file, ingested before or not")
    parser.add_argument("--ingested-at", type=_utc_time, default=None, metavar="ISO_TIME",
                        help="arrival time to record for these rows (default: now)")
    args = parser.parse_args(argv)

    spec = os.environ.get("LIVEPEER_EVENTS", "").strip()
    if not spec:
        print("error: LIVEPEER_EVENTS is not set: name an NDJSON file, a directory or a glob", file=sys.stderr)
        return 2
    files = event_files(spec)
    if not files:
        print(f"error: LIVEPEER_EVENTS={spec} names no .ndjson/.jsonl file", file=sys.stderr)
        return 2

    table_name = f"{os.environ.get('LIVEPEER_RAW_SCHEMA', 'raw')}.streaming_events"
    table = DuckDBTable(table_name) if target() == "duckdb" else ClickHouseTable(table_name)
    if isinstance(table, ClickHouseTable) and not table.ready():
        print(f"{table_name} is missing or lacks a column: `make run` creates it; by hand, "
              "`dbt run-operation create_streaming_events_table`", file=sys.stderr)
        return NO_TABLE
    columns = COLUMNS + (["ingested_at"] if args.ingested_at else [])
    extra = [args.ingested_at] if args.ingested_at else []
    if not args.append:
        table.truncate()
        if not args.all and isinstance(table, ClickHouseTable):
            ingested = table.ingested_files()
            files = [path for path in files if file_identity(path) not in ingested]
    loaded = rejected = 0
    for path in files:
        batch = []
        for row in envelope_rows(path):
            rejected += row[8] != ""
            batch.append(row + extra)
            if len(batch) >= BATCH_ROWS:
                table.insert(batch, columns)
                loaded += len(batch)
                batch = []
        if batch:
            table.insert(batch, columns)
            loaded += len(batch)
    table.close()
    print(f"{'appended' if args.append else 'loaded'} {loaded} lines from {len(files)}"
          f"{'' if args.append or args.all else ' new or changed'} file(s) into {table_name}"
          + (f" ({rejected} not readable as a JSON object: the models quarantine them)" if rejected else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
