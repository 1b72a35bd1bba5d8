"""Hourly incremental runs equal one full refresh, row for row.

Generated events (with redelivered duplicates and late arrivals) are split by
arrival hour into consecutive slices. One warehouse is built from everything
at once; another is built slice after slice, each run an incremental run on
top of the previous one. Every mart must be equal; running the last slice
again must change nothing. On DuckDB and on ClickHouse (chdb).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _support import (
    MART_GRAINS,
    assert_tables_equal,
    dump_models,
    duckdb_env,
    run_chdb_build,
    run_dbt_build,
)
from livepeer_devtools.generate import generate

GRAINS = {**MART_GRAINS, "dq_event_summary": ["event_type"]}
SLICES = 4


@pytest.fixture(scope="module")
def sliced_events(tmp_path_factory):
    """(directory with every file, [slice directories in arrival order], counts)."""
    root = tmp_path_factory.mktemp("generated")
    all_dir = root / "all"
    counts = generate(days=1, events_per_day=12_000, seed=11, out_dir=all_dir)
    files = sorted(all_dir.glob("*.ndjson"))
    assert len(files) >= SLICES
    slice_dirs = []
    per_slice = -(-len(files) // SLICES)
    for index in range(SLICES):
        slice_dir = root / f"slice_{index}"
        slice_dir.mkdir()
        for path in files[index * per_slice:(index + 1) * per_slice]:
            (slice_dir / path.name).symlink_to(path)
        slice_dirs.append(slice_dir)
    return all_dir, slice_dirs, counts


def _build(engine: str, events: Path, work_dir: Path) -> dict:
    if engine == "duckdb":
        return duckdb_env(run_dbt_build(events, work_dir))
    return run_chdb_build(events, work_dir)


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_incremental_slices_equal_full_refresh_and_rerun_changes_nothing(engine, sliced_events, tmp_path_factory):
    all_dir, slice_dirs, counts = sliced_events
    assert counts["duplicates"] > 0 and counts["late_events"] > 0, counts

    full = dump_models(_build(engine, all_dir, tmp_path_factory.mktemp(f"{engine}_full")), list(GRAINS))

    work_dir = tmp_path_factory.mktemp(f"{engine}_incremental")
    for slice_dir in slice_dirs:
        env = _build(engine, slice_dir, work_dir)
    incremental = dump_models(env, list(GRAINS))

    for model, grain in GRAINS.items():
        assert len(full[model]["rows"]) > 0, f"{model} is empty"
        assert_tables_equal(full[model], incremental[model], grain)

    rerun = dump_models(_build(engine, slice_dirs[-1], work_dir), list(GRAINS))
    for model, grain in GRAINS.items():
        assert_tables_equal(incremental[model], rerun[model], grain)
