"""Read-only access to the built warehouse of DBT_TARGET, one query at a time.

- duckdb: a short-lived READ-ONLY connection per request. DuckDB allows any
  number of read-only connections, but no read-only connection while another
  process has the file open for writing (and no writer while one is open), so
  a build and the API take turns through the run lock (build.py): before
  connecting, the API takes the run lock SHARED for the moment of the
  connect; while a build holds it (exclusively), the API answers 503 at once
  without touching the file. A build that starts while requests are running
  waits for their connections to close (build.py, at most
  LIVEPEER_READER_WAIT_S) and requests arriving meanwhile get 503.
- chdb: the ClickHouse engine in this process holds its data folder for the
  server's lifetime; queries are serialised (one at a time). A `make run` on
  chdb needs the server stopped.
- clickhouse: a server (CLICKHOUSE_* variables); one HTTP client, no session.
Every query carries the per-request timeout (DuckDB: interrupt; ClickHouse:
max_execution_time).
"""

from __future__ import annotations

import fcntl
import os
import threading

from pathlib import Path

from livepeer_analytics.api.query import ClickHouseDialect, Dialect
from livepeer_analytics.warehouse import REPO_ROOT, WarehouseError, clickhouse_database, target


class Busy(Exception):
    """The warehouse is being rebuilt (answered 503)."""


class QueryTimeout(Exception):
    """A query ran past the per-request timeout (answered 504)."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class DuckDBBackend:
    dialect = Dialect()

    def __init__(self, timeout_s: float):
        self.target = "duckdb"
        self.path = Path(os.environ.get("LIVEPEER_DUCKDB") or REPO_ROOT / "livepeer.duckdb").resolve()
        self.lock = self.path.with_suffix(".duckdb.lock")  # the run lock of build.py
        self.location = str(self.path)
        self.timeout_s = timeout_s

    def _connect(self):
        import duckdb

        if not self.path.is_file():
            raise WarehouseError(f"DuckDB file not found: {self.path} (run `make run` first)")
        fd = None
        try:
            fd = os.open(self.lock, os.O_RDONLY)
        except OSError:
            pass  # no build has run here yet: nothing to take turns with
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise Busy("a build is running on the warehouse (its run lock is held): retry shortly") from None
            try:
                return duckdb.connect(str(self.path), read_only=True)
            except duckdb.IOException as exc:
                if "lock" in str(exc).lower():
                    raise Busy("the DuckDB file is open for writing by another program: retry shortly") from None
                raise WarehouseError(f"cannot open {self.path}: {_first_line(exc)}") from None
            except duckdb.Error as exc:
                raise WarehouseError(f"cannot open {self.path}: {_first_line(exc)}") from None
        finally:
            if fd is not None:
                os.close(fd)  # releases the shared lock

    def run(self, statements: list[tuple[str, dict]], timeout_s: float | None = None) -> list[list[dict]]:
        """Run the statements on one connection (one snapshot); rows as dicts."""
        import duckdb

        con = self._connect()
        timer = threading.Timer(timeout_s or self.timeout_s, con.interrupt)
        timer.start()
        try:
            results = []
            for sql, params in statements:
                cursor = con.execute(sql, params)
                columns = [d[0] for d in cursor.description]
                results.append([dict(zip(columns, row)) for row in cursor.fetchall()])
            return results
        except duckdb.InterruptException:
            raise QueryTimeout(f"the query ran past the {timeout_s or self.timeout_s:g} s timeout") from None
        finally:
            timer.cancel()
            con.close()


class ClickHouseBackend:
    dialect = ClickHouseDialect()

    def __init__(self, timeout_s: float):
        self.target = target()
        self.timeout_s = timeout_s
        database = clickhouse_database()
        self.location = f"{self.target} database {database}"
        self._lock = threading.Lock() if self.target == "chdb" else None
        try:
            if self.target == "chdb":
                from livepeer_analytics.chdb_dbt import chdb_client

                self.client = chdb_client(database=database)
            else:
                import clickhouse_connect

                self.client = clickhouse_connect.get_client(
                    host=os.environ.get("CLICKHOUSE_HOST", "localhost"),
                    port=int(os.environ.get("CLICKHOUSE_PORT", "8123")),
                    username=os.environ.get("CLICKHOUSE_USER", "default"),
                    password=os.environ.get("CLICKHOUSE_PASSWORD", ""),
                    secure=os.environ.get("CLICKHOUSE_SECURE", "false").lower() == "true",
                    database=database,
                    autogenerate_session_id=False,  # concurrent requests must not share a session
                )
        except Exception as exc:
            raise WarehouseError(f"cannot connect to {self.location}: {_first_line(exc)}") from None

    def run(self, statements: list[tuple[str, dict]], timeout_s: float | None = None) -> list[list[dict]]:
        settings = {"max_execution_time": max(1, round(timeout_s or self.timeout_s)),
                    "join_use_nulls": 1, "cast_keep_nullable": 1}
        results = []
        if self._lock is not None:
            if not self._lock.acquire(timeout=timeout_s or self.timeout_s):
                raise QueryTimeout("the in-process engine was busy past the timeout")
        try:
            for sql, params in statements:
                try:
                    result = self.client.query(sql, parameters=params, settings=settings)
                except Exception as exc:
                    text = str(exc)
                    if "TIMEOUT_EXCEEDED" in text or "Timeout exceeded" in text:
                        raise QueryTimeout(f"the query ran past the {timeout_s or self.timeout_s:g} s timeout") from None
                    raise
                columns = list(result.column_names)
                results.append([dict(zip(columns, row)) for row in result.result_rows])
            return results
        finally:
            if self._lock is not None:
                self._lock.release()


def backend(timeout_s: float):
    if target() == "duckdb":
        return DuckDBBackend(timeout_s)
    if target() in ("chdb", "clickhouse"):
        return ClickHouseBackend(timeout_s)
    raise WarehouseError(f"unknown DBT_TARGET {target()!r}: use duckdb, chdb or clickhouse")
