"""Read-only access to the built warehouse of DBT_TARGET, one query at a time.

- duckdb: a READ-ONLY connection held between builds. DuckDB allows any
  number of read-only connections, but no read-only connection while another
  process has the file open for writing (and no writer while one is open), so
  a build and the API take turns through the run lock (build.py): the API
  connects holding the run lock SHARED for the moment of the connect; while a
  build holds it (exclusively), the API answers 503 at once without touching
  the file, and closes its connection as soon as the requests using it are
  done. The build waits for that (build.py, at most LIVEPEER_READER_WAIT_S).
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
import time

from livepeer_analytics.api.query import ClickHouseDialect, Dialect
from livepeer_analytics.warehouse import (
    WarehouseError,
    chdb_client,
    clickhouse_database,
    clickhouse_server_client,
    duckdb_path,
    lock_path,
    run_lock_held,
    target,
)


class Busy(Exception):
    """The warehouse is being rebuilt (answered 503)."""


class QueryTimeout(Exception):
    """A query ran past the per-request timeout (answered 504)."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class DuckDBBackend:
    """One read-only DuckDB connection shared by the requests (a cursor each), held
    between builds: it is closed as soon as a build takes the run lock (checked
    before every request and every 0.2 s by a watcher thread) and once the
    requests using it are done, and reopened after the build."""

    dialect = Dialect()

    def __init__(self, timeout_s: float):
        self.target = "duckdb"
        self.path = duckdb_path()
        self.lock = lock_path()  # the run lock of build.py
        self.location = str(self.path)
        self.timeout_s = timeout_s
        self._con = None
        self._identity = None  # (inode, size, mtime) of the file the connection opened
        self._users = 0
        self._state = threading.Condition()
        threading.Thread(target=self._watch, name="duckdb-run-lock-watcher", daemon=True).start()

    def _file_identity(self):
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def generation(self):
        """Changes whenever the data can have changed (the file is rewritten by every build)."""
        return self._file_identity()

    def _close_if_idle(self) -> None:
        if self._con is not None and self._users == 0:
            self._con.close()
            self._con = None

    def _watch(self) -> None:
        while True:
            time.sleep(0.2)
            with self._state:
                if self._con is not None and run_lock_held():
                    self._close_if_idle()

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
                    # held for the moment of the connect: a build cannot start in between
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
                os.close(fd)

    def _acquire(self):
        with self._state:
            if run_lock_held():
                self._close_if_idle()
                raise Busy("a build is running on the warehouse (its run lock is held): retry shortly")
            if self._con is not None and self._users == 0 and self._file_identity() != self._identity:
                self._close_if_idle()  # the file was replaced (e.g. make clean && make run)
            if self._con is None:
                self._con = self._connect()
                self._identity = self._file_identity()
            self._users += 1
            try:
                return self._con.cursor()
            except Exception:
                self._users -= 1
                raise

    def _release(self, cursor) -> None:
        cursor.close()
        with self._state:
            self._users -= 1
            if run_lock_held():
                self._close_if_idle()

    def run(self, statements: list[tuple[str, dict]], timeout_s: float | None = None) -> list[list[dict]]:
        """Run the statements on one cursor (one snapshot); rows as dicts."""
        import duckdb

        cursor = self._acquire()
        timer = threading.Timer(timeout_s or self.timeout_s, cursor.interrupt)
        timer.start()
        try:
            results = []
            for sql, params in statements:
                result = cursor.execute(sql, params)
                columns = [d[0] for d in result.description]
                results.append([dict(zip(columns, row)) for row in result.fetchall()])
            return results
        except duckdb.InterruptException:
            raise QueryTimeout(f"the query ran past the {timeout_s or self.timeout_s:g} s timeout") from None
        finally:
            timer.cancel()
            self._release(cursor)


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
                self.client = chdb_client(database=database)
            else:
                self.client = clickhouse_server_client(database=database, shared=True)
        except Exception as exc:
            raise WarehouseError(f"cannot connect to {self.location}: {_first_line(exc)}") from None

    def generation(self):
        """No cheap change marker on ClickHouse: answers are reused for LIVEPEER_API_NEWEST_TTL_S at most."""
        return int(time.time() // max(1.0, float(os.environ.get("LIVEPEER_API_NEWEST_TTL_S") or 30)))

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
                        limit = timeout_s or self.timeout_s
                        raise QueryTimeout(f"the query ran past the {limit:g} s timeout") from None
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
