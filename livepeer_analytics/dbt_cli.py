"""dbt as this project runs it, on every target: `python -m livepeer_analytics.dbt_cli <dbt args>`.

`make` and the hourly job (`livepeer_analytics.build`) start dbt through this
launcher. It changes two things before dbt's own command line runs:

1. **chdb** (the ClickHouse engine in-process): dbt-clickhouse talks to a
   server through `clickhouse_connect.get_client`; clickhouse-connect can
   instead back a client with chdb (`interface='chdb'`). That one call is
   redirected, so the `chdb` target of profiles.yml runs every model, seed and
   test on the ClickHouse engine with no server. Data lives under
   LIVEPEER_CHDB_PATH (default `.chdb/` in the repository). Not exercised this
   way: the HTTP transport, authentication and clusters; a real server is used
   through the `clickhouse` target, unchanged.
2. **Partial parsing survives a new DuckDB file.** dbt re-parses the whole
   project (about 5 s) when the profile's connection details change, and the
   DuckDB `path` is one of them, so every new warehouse path used to cost a
   full parse. The path's folder changes nothing dbt parses; its name does
   (it is the `database` of every relation, which stays in the check). The
   launcher leaves the path, and only the path, out of dbt's check. Nothing in
   this project reads `target.path` while parsing (docs/development.md,
   "Parsing"). dbt also re-parses when the `--target` argument changes, given
   or not, so the launcher always passes it (DBT_TARGET by default) to the
   commands that parse.
"""

from __future__ import annotations

import sys


def _parse_check_without_duckdb_path() -> None:
    from dbt.parser.manifest import ManifestLoader

    build_state_check = ManifestLoader.build_manifest_state_check
    if getattr(build_state_check, "_livepeer", False):
        return

    def state_check(self):
        credentials = self.root_project.credentials
        if getattr(credentials, "type", None) != "duckdb":
            return build_state_check(self)
        path = credentials.path
        credentials.path = "<any folder>/" + (path or "").replace("\\", "/").rsplit("/", 1)[-1]
        try:
            return build_state_check(self)
        finally:
            credentials.path = path

    state_check._livepeer = True
    ManifestLoader.build_manifest_state_check = state_check


def _clickhouse_in_process() -> None:
    import clickhouse_connect

    from livepeer_analytics.warehouse import chdb_client

    def get_client(**kwargs):
        return chdb_client(database=kwargs.get("database"), settings=kwargs.get("settings"))

    clickhouse_connect.get_client = get_client


def _target(argv: list[str]) -> str:
    """The target dbt will use: `--target X` / `--target=X` / `-t X`, else DBT_TARGET (profiles.yml)."""
    from livepeer_analytics.warehouse import target

    for index, arg in enumerate(argv):
        if arg in ("--target", "-t") and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
    return target()


# dbt's commands that parse the project and take --target
_PARSING_COMMANDS = {"build", "compile", "debug", "docs", "list", "ls", "parse", "run", "run-operation", "seed",
                     "show", "snapshot", "source", "test", "clone", "retry"}


def _with_target(argv: list[str]) -> list[str]:
    """argv with `--target <DBT_TARGET>` when a parsing command was given none."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    given = any(arg in ("--target", "-t") or arg.startswith("--target=") for arg in argv)
    if command not in _PARSING_COMMANDS or given:
        return argv
    from livepeer_analytics.warehouse import target

    return [*argv, "--target", target()]


def _prepare(argv: list[str]) -> list[str]:
    import os

    from livepeer_analytics.warehouse import resolved_environment

    # the warehouse's files as the project resolves them (warehouse.py), from any working directory
    os.environ.update(resolved_environment())
    argv = _with_target(argv)
    _parse_check_without_duckdb_path()
    if _target(argv) == "chdb":
        _clickhouse_in_process()
    return argv


def invoke(argv: list[str], callbacks: list | None = None) -> int:
    """dbt in this process (dbtRunner), as `main` would run it; returns dbt's exit status:
    0 success, 1 a node failed, 2 dbt itself could not run (its error is already printed).
    `callbacks` receive every event dbt fires (e.g. the lines a macro logs)."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner(callbacks=callbacks).invoke(_prepare(argv))
    if result.success:
        return 0
    return 1 if result.exception is None else 2


def release_duckdb() -> None:
    """Close the DuckDB file dbt-duckdb keeps open in this process after `invoke` (its
    checkpoint happens here), so that the file can be opened again with other settings."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        DuckDBConnectionManager._ENV = None
        environment.close()


def main(argv: list[str]) -> None:
    argv = _prepare(argv)
    from dbt.cli.main import cli

    cli(args=argv, prog_name="dbt")


if __name__ == "__main__":
    main(sys.argv[1:])
