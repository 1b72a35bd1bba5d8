"""One rule for where the warehouse lives (livepeer_analytics/warehouse.py), whatever the working directory.

A relative LIVEPEER_DUCKDB or LIVEPEER_CHDB_PATH is relative to the project
folder: the job's run lock and nothing-new record, the loader, preflight, the
read API and dbt (through the launcher) all name the same files from any
working directory, and no other module reads those settings itself.
"""

from __future__ import annotations

import os
import re

import pytest

from livepeer_analytics import dbt_cli, warehouse

from _support import REPO_ROOT

PACKAGE = REPO_ROOT / "livepeer_analytics"


@pytest.mark.parametrize("where", ["project", "elsewhere"])
def test_every_part_names_the_same_duckdb_file_from_any_working_directory(where, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT if where == "project" else tmp_path)
    monkeypatch.setenv("DBT_TARGET", "duckdb")
    monkeypatch.setenv("LIVEPEER_DUCKDB", "target/location-test/w.duckdb")
    expected = REPO_ROOT / "target" / "location-test" / "w.duckdb"
    assert warehouse.duckdb_path() == expected
    assert warehouse.lock_path() == expected.with_name("w.duckdb.lock")
    assert warehouse.state_path() == expected.with_name("w.duckdb.state")

    from livepeer_analytics.api.backend import DuckDBBackend

    backend = DuckDBBackend(timeout_s=1.0)
    assert (backend.path, backend.lock) == (expected, warehouse.lock_path())

    # dbt reads the path from the environment (profiles.yml): the launcher hands it the resolved one
    dbt_cli._prepare(["parse"])
    assert os.environ["LIVEPEER_DUCKDB"] == str(expected)


def test_the_chdb_folder_and_its_lock_follow_the_same_rule(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DBT_TARGET", "chdb")
    monkeypatch.setenv("LIVEPEER_CHDB_PATH", "target/location-test/chdb")
    expected = REPO_ROOT / "target" / "location-test" / "chdb"
    assert warehouse.chdb_folder() == expected
    assert warehouse.lock_path() == expected.with_name("chdb.lock")
    absolute = tmp_path / "elsewhere"
    monkeypatch.setenv("LIVEPEER_CHDB_PATH", str(absolute))
    assert warehouse.chdb_folder() == absolute


def test_only_warehouse_py_reads_the_location_settings():
    reads = re.compile(r"""environ(\.get)?[\[(]\s*["'](LIVEPEER_DUCKDB|LIVEPEER_CHDB_PATH)["']""")
    readers = sorted(str(path.relative_to(REPO_ROOT)) for path in PACKAGE.rglob("*.py")
                     if reads.search(path.read_text()))
    assert readers == ["livepeer_analytics/warehouse.py"]
