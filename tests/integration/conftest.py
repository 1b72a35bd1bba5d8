"""Shared fixtures for the integration tests (see _support.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from _support import run_dbt_build


@pytest.fixture(scope="session")
def build_warehouse(tmp_path_factory):
    """Return `build(events_path | None) -> Path` of a built DuckDB file.

    Builds are cached per events path for the whole session. A failed build
    is cached too, so every test depending on it fails with dbt's output
    without rebuilding.
    """
    cache: dict[str | None, Path | BaseException] = {}

    def build(events_path: str | os.PathLike | None = None) -> Path:
        key = None if events_path is None else str(Path(events_path).resolve())
        if key in cache:
            cached = cache[key]
            if isinstance(cached, BaseException):
                raise cached
            return cached
        work_dir = tmp_path_factory.mktemp("dbt_build")
        try:
            result = run_dbt_build(None if key is None else Path(key), work_dir)
        except BaseException as exc:  # pytest.fail raises an OutcomeException
            cache[key] = exc
            raise
        cache[key] = result
        return result

    return build
