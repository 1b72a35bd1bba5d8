"""DuckDB and ClickHouse (chdb, the engine in-process) give the same marts.

The same input is built on both engines; fct_workflow_sessions and the three
serving views must be equal row for row: keys and strings exactly, numbers
within 1e-9 relative (booleans compare as 0/1).
"""

from __future__ import annotations

import math

import pytest

from _support import (
    PROD_EVENTS,
    STREAM_2026_01_08_EVENTS,
    dump_models,
    duckdb_env,
    require_fixture,
    run_chdb_build,
)

GRAINS = {
    "fct_workflow_sessions": ["session_key"],
    "v_api_gpu_metrics": ["window_start", "orchestrator_address", "pipeline", "model_id", "gpu_id", "region"],
    "v_api_network_demand": ["window_start", "gateway", "region", "pipeline", "model_id"],
    "v_api_sla_compliance": ["window_start", "orchestrator_address", "pipeline", "model_id", "gpu_id", "region"],
}

INPUTS = {
    "fixture_seed": None,
    "prod_snapshot": PROD_EVENTS,
    "stream_2026_01_08": STREAM_2026_01_08_EVENTS,
}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, str)


def values_equal(left, right) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if _is_number(left) and _is_number(right):
        if isinstance(left, float) and isinstance(right, float) and math.isnan(left) and math.isnan(right):
            return True
        return math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=0.0)
    return left == right


def keyed(table: dict, grain: list[str]) -> dict:
    positions = [table["columns"].index(column) for column in grain]
    rows = {}
    for row in table["rows"]:
        key = tuple(row[p] for p in positions)
        assert key not in rows, f"duplicate grain {key}"
        rows[key] = row
    return rows


@pytest.fixture(scope="module")
def engine_builds(build_warehouse, tmp_path_factory):
    cache = {}

    def build(name):
        if name not in cache:
            events = INPUTS[name]
            if events is not None:
                require_fixture(events)
            duck = dump_models(duckdb_env(build_warehouse(events)), list(GRAINS))
            chdb_env = run_chdb_build(events, tmp_path_factory.mktemp(f"chdb_{name}"))
            cache[name] = (duck, dump_models(chdb_env, list(GRAINS)))
        return cache[name]

    return build


@pytest.mark.parametrize("model", list(GRAINS))
@pytest.mark.parametrize("input_name", list(INPUTS))
def test_duckdb_and_clickhouse_marts_are_equal(engine_builds, input_name, model):
    duck, click = engine_builds(input_name)
    duck_table, click_table = duck[model], click[model]
    assert duck_table["columns"] == click_table["columns"]
    assert len(duck_table["rows"]) > 0, f"{model} is empty for {input_name}: the comparison would prove nothing"
    duck_rows = keyed(duck_table, GRAINS[model])
    click_rows = keyed(click_table, GRAINS[model])
    assert sorted(duck_rows, key=repr) == sorted(click_rows, key=repr)
    differences = [
        (key, column, duck_rows[key][i], click_rows[key][i])
        for key in duck_rows
        for i, column in enumerate(duck_table["columns"])
        if not values_equal(duck_rows[key][i], click_rows[key][i])
    ]
    assert not differences, f"{len(differences)} values differ, first: {differences[:5]}"
