"""The warehouse: which target, where it lives, its run lock, and connections to it.

The one place that answers these, for the job (build.py, run_state.py), the
loader, preflight, the summary, the read API and dbt itself (dbt_cli.py passes
the resolved paths to dbt).

`DBT_TARGET` picks the engine as in profiles.yml: `duckdb` (the file at
LIVEPEER_DUCKDB, default `livepeer.duckdb`), `chdb` (the ClickHouse engine
in-process, data under LIVEPEER_CHDB_PATH, default `.chdb/`) or `clickhouse`
(a server, CLICKHOUSE_* variables). A relative LIVEPEER_DUCKDB or
LIVEPEER_CHDB_PATH is relative to the project folder (this repository), from
any working directory: the job, the API and dbt always name the same files.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


class WarehouseError(Exception):
    """A one-line, user-facing reason why the warehouse cannot be reached."""


def target() -> str:
    return os.environ.get("DBT_TARGET", "duckdb")


def clickhouse_database() -> str:
    return os.environ.get("CLICKHOUSE_DATABASE", "livepeer")


def _in_project(value: str | None, default: str) -> Path:
    """A path setting: absolute as given, relative to the project folder otherwise."""
    return (REPO_ROOT / Path(value or default).expanduser()).resolve()


def duckdb_path() -> Path:
    """The DuckDB file of the duckdb target (LIVEPEER_DUCKDB, default `livepeer.duckdb` in the project)."""
    return _in_project(os.environ.get("LIVEPEER_DUCKDB"), "livepeer.duckdb")


def chdb_folder() -> Path:
    """The chdb target's data folder (LIVEPEER_CHDB_PATH, default `.chdb/` in the project)."""
    return _in_project(os.environ.get("LIVEPEER_CHDB_PATH"), ".chdb")


def chdb_path() -> str:
    """chdb_folder(), created if missing."""
    path = chdb_folder()
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def lock_path() -> Path:
    """The run lock beside the warehouse: `<duckdb file>.lock`, `<chdb folder>.lock`, or for a server
    `.livepeer-clickhouse-<host>-<database>.lock` in the project folder."""
    if target() == "duckdb":
        return duckdb_path().with_suffix(".duckdb.lock")
    if target() == "chdb":
        return Path(str(chdb_folder()) + ".lock")
    host = os.environ.get("CLICKHOUSE_HOST", "localhost")
    return REPO_ROOT / f".livepeer-clickhouse-{host}-{clickhouse_database()}.lock"


def run_lock_held() -> bool:
    """A job run holds the warehouse's run lock now (a momentary shared lock cannot be had). The read API
    takes turns with builds by it and tells a killed run from a running one."""
    import fcntl

    try:
        fd = os.open(lock_path(), os.O_RDONLY)
    except OSError:
        return False  # no run has held it here yet
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # releases the shared lock


def state_path() -> Path:
    """The record of the last successful run (run_state.py), beside the run lock."""
    return lock_path().with_suffix(".state")


def resolved_environment() -> dict[str, str]:
    """The path settings as absolute paths, for dbt (profiles.yml reads them from the environment)."""
    return {"LIVEPEER_DUCKDB": str(duckdb_path()), "LIVEPEER_CHDB_PATH": str(chdb_folder())}


def duckdb_connect(read_only: bool = True):
    """A connection to the DuckDB file (read-only by default)."""
    import duckdb

    return duckdb.connect(str(duckdb_path()), read_only=read_only)


def chdb_client(database: str | None = None, settings: dict | None = None):
    """A clickhouse-connect client on the in-process ClickHouse engine (chdb target)."""
    from clickhouse_connect.driver import create_client

    settings = dict(settings or {})
    # The in-process engine has no HTTP session to attach to.
    settings.pop("session_id", None)
    return create_client(interface="chdb", path=chdb_path(), database=database, settings=settings)


def clickhouse_server_client(database: str | None = None, shared: bool = False):
    """A clickhouse-connect client on the server the CLICKHOUSE_* variables name; `shared` when several
    threads use it at once (the API): then no HTTP session, which concurrent requests must not share."""
    import clickhouse_connect

    return clickhouse_connect.get_client(
        host=os.environ.get("CLICKHOUSE_HOST", "localhost"),
        port=int(os.environ.get("CLICKHOUSE_PORT", "8123")),
        username=os.environ.get("CLICKHOUSE_USER", "default"),
        password=os.environ.get("CLICKHOUSE_PASSWORD", ""),
        secure=os.environ.get("CLICKHOUSE_SECURE", "false").lower() == "true",
        database=database,
        **({"autogenerate_session_id": False} if shared else {}),
    )


def clickhouse_client(database: str | None = None):
    """A clickhouse-connect client for the chdb or clickhouse target."""
    if target() == "chdb":
        return chdb_client(database=database)
    return clickhouse_server_client(database=database)


class Warehouse:
    """Run read-only SQL on the built models: `rows(sql)` returns a list of tuples. With
    `in_database=False` (the job's checks, before a first build has made the models' database) a
    ClickHouse connection names no database: queries qualify every table."""

    def __init__(self, in_database: bool = True, writable: bool = False) -> None:
        self.target = target()
        if self.target == "duckdb":
            import duckdb

            path = duckdb_path()
            if not path.is_file() and not writable:
                raise WarehouseError(f"DuckDB file not found: {path} (run `make run` first)")
            try:
                self._con = duckdb_connect(read_only=not writable)
            except duckdb.Error as exc:
                raise WarehouseError(f"cannot open {path}: {str(exc).splitlines()[0]}") from exc
            self.location = str(path)
        elif self.target in ("chdb", "clickhouse"):
            self._client = clickhouse_client(database=clickhouse_database() if in_database else None)
            self.location = f"{self.target} database {clickhouse_database()}"
        else:
            raise WarehouseError(f"unknown DBT_TARGET {self.target!r}: use duckdb, chdb or clickhouse")

    def rows(self, sql: str) -> list[tuple]:
        if self.target == "duckdb":
            return self._con.execute(sql).fetchall()
        return [tuple(row) for row in self._client.query(sql).result_rows]

    def execute(self, sql: str) -> None:
        """A statement (DDL) on a writable warehouse."""
        if self.target == "duckdb":
            self._con.execute(sql)
        else:
            self._client.command(sql)

    def insert(self, table: str, columns: list[str], rows: list[list]) -> None:
        """Rows into `table` (qualified), by each driver's own insert."""
        if self.target == "duckdb":
            self._con.executemany(
                f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})", rows)
        else:
            self._client.insert(table, rows, column_names=columns)

    def columns(self, sql: str) -> list[str]:
        if self.target == "duckdb":
            return [d[0] for d in self._con.execute(sql).description]
        return list(self._client.query(sql).column_names)

    def close(self) -> None:
        if self.target == "duckdb":
            self._con.close()
