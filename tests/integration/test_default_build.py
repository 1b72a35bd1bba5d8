"""The project's own fixture seed (LIVEPEER_EVENTS unset), as `make test` used to run it
from the Makefile: `make build`, `make nightly` (every data test over every row) and
`make unit` (the dbt unit tests: every classification rule) on DuckDB and on chdb.
Also: an empty input builds empty views.
"""

from __future__ import annotations

import re

import pytest

from _support import ENGINES, make, output_of, strip_ansi

SERVING_VIEWS = ("v_api_gpu_metrics", "v_api_network_demand", "v_api_sla_compliance", "v_api_ingest_quality")


def _dbt_totals(output: str) -> dict:
    """dbt's closing line `Done. PASS=.. WARN=.. ERROR=.. SKIP=.. ... TOTAL=..` as numbers."""
    done = [line for line in strip_ansi(output).splitlines() if "Done. PASS=" in line]
    assert done, f"no summary line in dbt's output:\n{output[-4000:]}"
    return {key: int(value) for key, value in re.findall(r"([A-Z-]+)=(\d+)", done[-1])}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("view", SERVING_VIEWS)
def test_default_build_serving_views_have_rows(matrix, engine, view):
    rows = matrix(engine, "seed").dump(view)[view]["rows"]
    assert rows, f"{view} is empty on the default (fixture seed) build on {engine}"


@pytest.mark.parametrize("engine", ENGINES)
def test_nightly_runs_every_data_test_over_every_row(matrix, engine, tmp_path):
    env = matrix(engine, "seed").copy(tmp_path)
    proc = make("nightly", env)
    assert proc.returncode == 0, f"make nightly failed on {engine}:\n{output_of(proc)}"
    totals = _dbt_totals(proc.stdout + proc.stderr)
    assert totals["ERROR"] == 0 and totals["PASS"] > 30, totals


@pytest.mark.parametrize("engine", ENGINES)
def test_unit_tests_of_every_classification_rule_pass(matrix, engine, tmp_path):
    # the seed's tables, even when its data tests failed: a broken rule shows here too
    env = matrix(engine, "seed", models_only=True).copy(tmp_path)
    proc = make("unit", env)
    assert proc.returncode == 0, f"make unit failed on {engine}:\n{output_of(proc)}"
    totals = _dbt_totals(proc.stdout + proc.stderr)
    assert totals.get("ERROR", 0) == 0 and totals.get("FAIL", 0) == 0, totals
    assert totals["PASS"] >= 50, f"only {totals['PASS']} unit tests ran: {totals}"


def test_empty_input_builds_empty_views(matrix):
    # the build ran preflight (an existing empty file is fine), the models and their data tests
    dumped = matrix("duckdb", "empty").dump(*SERVING_VIEWS)
    assert all(dumped[view]["rows"] == [] for view in SERVING_VIEWS)
