"""Connections to the built warehouse on the current dbt target, for scripts and tests.

`DBT_TARGET` picks the engine as in profiles.yml: `duckdb` (the file at
LIVEPEER_DUCKDB), `chdb` (the ClickHouse engine in-process, data under
LIVEPEER_CHDB_PATH) or `clickhouse` (a server, CLICKHOUSE_* variables).
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


def chdb_path() -> str:
    """The chdb target's data folder (LIVEPEER_CHDB_PATH, default `.chdb/` in the repository), created if missing."""
    path = Path(os.environ.get("LIVEPEER_CHDB_PATH") or REPO_ROOT / ".chdb").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def chdb_client(database: str | None = None, settings: dict | None = None):
    """A clickhouse-connect client on the in-process ClickHouse engine (chdb target)."""
    from clickhouse_connect.driver import create_client

    settings = dict(settings or {})
    # The in-process engine has no HTTP session to attach to.
    settings.pop("session_id", None)
    return create_client(interface="chdb", path=chdb_path(), database=database, settings=settings)


def clickhouse_server_client(database: str | None = None):
    import clickhouse_connect

    return clickhouse_connect.get_client(
        host=os.environ.get("CLICKHOUSE_HOST", "localhost"),
        port=int(os.environ.get("CLICKHOUSE_PORT", "8123")),
        username=os.environ.get("CLICKHOUSE_USER", "default"),
        password=os.environ.get("CLICKHOUSE_PASSWORD", ""),
        secure=os.environ.get("CLICKHOUSE_SECURE", "false").lower() == "true",
        database=database,
    )


def clickhouse_client(database: str | None = None):
    """A clickhouse-connect client for the chdb or clickhouse target."""
    if target() == "chdb":
        return chdb_client(database=database)
    return clickhouse_server_client(database=database)


class Warehouse:
    """Run read-only SQL on the built models: `rows(sql)` returns a list of tuples."""

    def __init__(self) -> None:
        self.target = target()
        if self.target == "duckdb":
            import duckdb

            path = Path(os.environ.get("LIVEPEER_DUCKDB") or REPO_ROOT / "livepeer.duckdb")
            if not path.is_file():
                raise WarehouseError(f"DuckDB file not found: {path} (run `make run` first)")
            try:
                self._con = duckdb.connect(str(path), read_only=True)
            except duckdb.Error as exc:
                raise WarehouseError(f"cannot open {path}: {str(exc).splitlines()[0]}") from exc
            self.location = str(path)
        elif self.target in ("chdb", "clickhouse"):
            self._client = clickhouse_client(database=clickhouse_database())
            self.location = f"{self.target} database {clickhouse_database()}"
        else:
            raise WarehouseError(f"unknown DBT_TARGET {self.target!r}: use duckdb, chdb or clickhouse")

    def rows(self, sql: str) -> list[tuple]:
        if self.target == "duckdb":
            return self._con.execute(sql).fetchall()
        return [tuple(row) for row in self._client.query(sql).result_rows]

    def columns(self, sql: str) -> list[str]:
        if self.target == "duckdb":
            return [d[0] for d in self._con.execute(sql).description]
        return list(self._client.query(sql).column_names)
