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
DuckDB included. In production the table is fed from Kafka instead
(docs/production-clickhouse.md). The table must exist: `dbt run-operation
create_streaming_events_table` creates it. Every row gets the table's own
arrival time (`ingested_at`, now), or the one given with
`--ingested-at 2026-03-02T10:00:00Z` (replaying archived files with the hour
they arrived in).

LIVEPEER_EVENTS names a file, a directory (every *.ndjson / *.jsonl below it)
or a glob, exactly as on DuckDB. Each row records its file (path, size,
modification time) and line number; each line keeps its envelope fields as
text and its `data` as the JSON text it held (an object/array, or the string
that held JSON). Python only splits the files into lines, in batches; the
engine parses each line once (`insert ... select` from a temporary table of
the batch's lines), with the SQL of macros/envelope.sql: the one definition
of an envelope line, which DuckDB's files mode uses too. That takes half the
time parsing in Python took. A line that cannot be read as a JSON
object is kept too, with its raw text and a `load_error` (invalid_utf8,
line_too_long: found by the loader; not_json: by the engine), so that the
models quarantine it exactly as they do on DuckDB. Blank lines are not events
and are skipped, as DuckDB's reader does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import glob
import os
import sys
from pathlib import Path

import pyarrow

from livepeer_analytics import plain_macros
from livepeer_analytics.warehouse import clickhouse_client, clickhouse_database, duckdb_connect, target

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


LINE_COLUMNS = ["source_file", "line_number", "raw_line", "load_error", "source_file_size", "source_file_modified_us"]


def line_row(raw: bytes, path: Path, line_number: int) -> list:
    """The line as the loader hands it to the engine: file, line number, text, and a load_error when the
    line cannot even be decoded (too long, not UTF-8; its text then keeps what can be shown). Whether it is
    a JSON object, and its envelope fields, the engine decides (macros/envelope.sql): the line is
    parsed once, there."""
    if len(raw) > MAX_LINE_BYTES:
        return [str(path), line_number, raw[:4096].decode("utf-8", "replace"), "line_too_long"]
    try:
        return [str(path), line_number, raw.decode("utf-8"), ""]
    except UnicodeDecodeError:
        return [str(path), line_number, raw.decode("utf-8", "replace"), "invalid_utf8"]


def file_identity(path: Path) -> tuple[str, int, int]:
    """What the ledger records of a file: path, size in bytes, modification time in epoch microseconds."""
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns // 1000


def envelope_rows(path: Path):
    """One row (LINE_COLUMNS) per non-blank line of the file."""
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
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# From a batch of lines (temporary table LINES, LINE_COLUMNS) to rows of the raw table: the engine's
# macro of macros/envelope.sql, the one definition of an envelope line (the files mode of the models uses it
# too), rendered here with plain Jinja: no dbt start-up.


@functools.cache
def envelope_macro(name: str) -> str:
    """The text of macro `name` of macros/envelope.sql, called with LINES (and its load_error column)."""
    if name == "clickhouse__envelope_is_object":
        return plain_macros.render("envelope.sql", name, "raw_line", "load_error")
    return plain_macros.render("envelope.sql", name, LINES)


LINES = "livepeer_load_lines"


def columns(ingested_at: dt.datetime | None) -> list[str]:
    """The raw table's columns a load writes (ingested_at only when given; else the table sets it)."""
    return COLUMNS + (["ingested_at"] if ingested_at else [])


class DuckDBTable:
    """The raw table in the DuckDB file (LIVEPEER_DUCKDB); one transaction, so one arrival time."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.con = duckdb_connect(read_only=False)
        self.con.execute("begin transaction")
        self.con.execute(f"create temp table {LINES} (source_file varchar, line_number bigint, raw_line varchar, "
                         "load_error varchar, source_file_size bigint, source_file_modified_us bigint)")

    def truncate(self) -> None:
        self.con.execute(f"delete from {self.table}")

    def insert(self, rows: list[list], ingested_at: dt.datetime | None) -> int:
        """Add the lines; returns how many of them are not readable as a JSON object."""
        # handed over as one Arrow table: executemany inserted row by row (140 s for 200,000 lines)
        batch = pyarrow.table(dict(zip(LINE_COLUMNS, map(list, zip(*rows, strict=True)), strict=True)))
        self.con.register("livepeer_load_batch", batch)
        self.con.execute(f"insert into {LINES} ({', '.join(LINE_COLUMNS)}) select * from livepeer_load_batch")
        self.con.unregister("livepeer_load_batch")
        arrival = ", ?::timestamptz" if ingested_at else ""
        errors = self.con.execute(
            f"insert into {self.table} ({', '.join(columns(ingested_at))}) select {', '.join(COLUMNS)}{arrival}"
            f" from ({envelope_macro('duckdb__envelope_of_lines')}) returning load_error",
            [ingested_at] if ingested_at else []).fetchall()
        self.con.execute(f"delete from {LINES}")
        return sum(1 for (error,) in errors if error)

    def close(self) -> None:
        self.con.execute("commit")
        self.con.close()


class ClickHouseTable:
    def __init__(self, table: str) -> None:
        self.table = table
        self.client = clickhouse_client()
        self.lines_ready = False

    def truncate(self) -> None:
        self.client.command(f"truncate table {self.table}")

    def insert(self, rows: list[list], ingested_at: dt.datetime | None) -> int:
        """Add the lines; returns how many of them are not readable as a JSON object."""
        if not self.lines_ready:  # lives as long as this client's session
            self.client.command(f"create temporary table {LINES} (source_file String, line_number Int64, "
                                "raw_line String, load_error String, source_file_size Int64, "
                                "source_file_modified_us Int64)")
            self.lines_ready = True
        self.client.insert(LINES, rows, column_names=LINE_COLUMNS)
        arrival = ", {at:DateTime64(6, 'UTC')}" if ingested_at else ""
        self.client.command(
            f"insert into {self.table} ({', '.join(columns(ingested_at))}) select {', '.join(COLUMNS)}{arrival}"
            f" from ({envelope_macro('clickhouse__envelope_of_lines')})",
            parameters={"at": ingested_at} if ingested_at else None)
        errors = self.client.command(
            f"select countIf(not {envelope_macro('clickhouse__envelope_is_object')}) from {LINES}")
        self.client.command(f"truncate table {LINES}")
        return int(errors)

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
    if not args.append:
        table.truncate()
        if not args.all and isinstance(table, ClickHouseTable):
            ingested = table.ingested_files()
            files = [path for path in files if file_identity(path) not in ingested]
    loaded = rejected = 0
    for path in files:
        batch = []
        for row in envelope_rows(path):
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                rejected += table.insert(batch, args.ingested_at)
                loaded += len(batch)
                batch = []
        if batch:
            rejected += table.insert(batch, args.ingested_at)
            loaded += len(batch)
    table.close()
    print(f"{'appended' if args.append else 'loaded'} {loaded} lines from {len(files)}"
          f"{'' if args.append or args.all else ' new or changed'} file(s) into {table_name}"
          + (f" ({rejected} not readable as a JSON object: the models quarantine them)" if rejected else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
