"""DuckDB and ClickHouse (chdb, the engine in-process) give the same marts.

The same input is built on both engines; fct_workflow_sessions,
fct_session_ingest_quality and the serving views must be equal row for row:
keys and strings exactly, numbers within 1e-9 relative (booleans compare as
0/1).
"""

from __future__ import annotations

import pytest

from _support import (
    MART_GRAINS,
    PROD_EVENTS,
    STREAM_2026_01_08_EVENTS,
    assert_tables_equal,
    dump_models,
    duckdb_env,
    require_fixture,
    run_chdb_build,
)

GRAINS = {
    model: grain
    for model, grain in MART_GRAINS.items()
    if model in ("fct_workflow_sessions", "fct_session_ingest_quality") or model.startswith("v_api_")
}

# The production snapshot carries no stream_ingest_metrics event: its ingest
# marts are empty, and must be on both engines.
EMPTY_BY_DESIGN = {
    ("prod_snapshot", "fct_session_ingest_quality"),
    ("prod_snapshot", "v_api_ingest_quality"),
}

INPUTS = {
    "fixture_seed": None,
    "prod_snapshot": PROD_EVENTS,
    "stream_2026_01_08": STREAM_2026_01_08_EVENTS,
}


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
    if (input_name, model) in EMPTY_BY_DESIGN:
        assert duck[model]["rows"] == [] and click[model]["rows"] == []
        return
    assert len(duck[model]["rows"]) > 0, f"{model} is empty for {input_name}: the comparison would prove nothing"
    assert_tables_equal(duck[model], click[model], GRAINS[model])
