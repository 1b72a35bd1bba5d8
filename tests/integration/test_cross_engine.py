"""DuckDB and ClickHouse (chdb, the engine in-process) give the same marts.

The same input is built on both engines; fct_workflow_sessions,
fct_session_ingest_quality, fct_gpu_supply and the serving views must be equal row for row:
keys and strings exactly, numbers within 1e-9 relative (booleans compare as
0/1). Inputs: the project's fixture seed, and the real events (the prod
snapshot and the 2026-01-08 stream). The real events are built on DuckDB from
their folder and on chdb from the file that mixes them with junk (`dirty`,
whose marts equal the clean ones on each engine: test_bad_input.py), so the
comparison also covers the loader's path on ClickHouse.
"""

from __future__ import annotations

import pytest

from _support import MART_GRAINS, assert_tables_equal

pytestmark = pytest.mark.chdb

GRAINS = {
    model: grain
    for model, grain in MART_GRAINS.items()
    if model in ("fct_workflow_sessions", "fct_session_ingest_quality", "fct_gpu_supply") or model.startswith("v_api_")
}

# (the DuckDB build, the chdb build) of each input
INPUTS = {
    "fixture_seed": ("seed", "seed"),
    "real_events": ("real", "dirty"),
}

# The production snapshot carries no stream_ingest_metrics event: the real
# events' ingest marts hold the 2026-01-08 stream's session alone, on both engines.
STREAM_SESSION = "stream-o5s73x-mk5zc8fy|db936fab"


@pytest.mark.parametrize("model", list(GRAINS))
@pytest.mark.parametrize("input_name", list(INPUTS))
def test_duckdb_and_clickhouse_marts_are_equal(matrix, input_name, model):
    duck_input, chdb_input = INPUTS[input_name]
    duck = matrix("duckdb", duck_input).dump(model)[model]
    click = matrix("chdb", chdb_input).dump(model)[model]
    assert len(duck["rows"]) > 0, f"{model} is empty for {input_name}: the comparison would prove nothing"
    assert_tables_equal(duck, click, GRAINS[model])
    if input_name == "real_events" and model == "fct_session_ingest_quality":
        keys = [row[duck["columns"].index("session_key")] for row in duck["rows"]]
        assert keys == [STREAM_SESSION], "the prod snapshot has no ingest metrics: one ingest session only"
