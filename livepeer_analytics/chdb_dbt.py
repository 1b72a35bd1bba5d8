"""Run dbt on the ClickHouse engine in-process (chdb): `python -m livepeer_analytics.chdb_dbt <dbt args>`.

dbt-clickhouse talks to a server through `clickhouse_connect.get_client`.
clickhouse-connect can instead back a client with chdb, the real ClickHouse
engine running inside this process (`interface='chdb'`). This launcher
redirects that one call before dbt starts, so the `chdb` target of
profiles.yml runs every model, seed and test on the ClickHouse engine with no
server. Data lives under LIVEPEER_CHDB_PATH (default `.chdb/` in the repo).

What this does not exercise: the HTTP transport, authentication and clusters.
A real server is used through the `clickhouse` target, without this launcher.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import clickhouse_connect

REPO_ROOT = Path(__file__).resolve().parents[1]
_server_get_client = clickhouse_connect.get_client


def chdb_path() -> str:
    path = Path(os.environ.get("LIVEPEER_CHDB_PATH") or REPO_ROOT / ".chdb").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def chdb_client(database: str | None = None, settings: dict | None = None):
    """A clickhouse-connect client on the in-process engine (also used by the loader)."""
    settings = dict(settings or {})
    # The in-process engine has no HTTP session to attach to.
    settings.pop("session_id", None)
    return _server_get_client(interface="chdb", path=chdb_path(), database=database, settings=settings)


def _get_client(**kwargs):
    return chdb_client(database=kwargs.get("database"), settings=kwargs.get("settings"))


def main() -> None:
    clickhouse_connect.get_client = _get_client
    from dbt.cli.main import cli

    cli(args=sys.argv[1:], prog_name="dbt")


if __name__ == "__main__":
    main()
