"""Shared fixtures of the integration tests.

The suite runs in several processes (pytest-xdist, `make test`: two), and each
warehouse several tests read is built once for all of them: `shared` computes
a value once per pytest session across the processes (a file lock per key in a
folder they share; the value, a failure or a skip is kept as a file), and
`matrix(engine, input)` is the build matrix on top of it (tests/integration/
_matrix.py). See docs/development.md, "Tests".
"""

from __future__ import annotations

import json
import os
import re
import traceback
from pathlib import Path

import pytest

from _support import PARSE_CACHE_ENV


class Shared:
    """Values computed once per session, whichever test process asks first.

    `get(key, produce)` calls `produce(folder)` under the key's lock in the
    first process that asks; it returns a JSON value, kept in `folder` with
    whatever files it wrote there. Later callers (any process) wait for the
    lock and read it. A failure or a skip is kept too: every test asking for
    the key fails (or skips) with the same message, without producing again.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._memo: dict[str, object] = {}

    def folder(self, key: str) -> Path:
        return self.root / key

    def get(self, key: str, produce):
        if key in self._memo:
            return self._memo[key]
        import fcntl

        folder = self.folder(key)
        with open(self.root / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            value_file, failed_file, skipped_file = folder / "value.json", folder / "failed.txt", folder / "skipped.txt"
            if skipped_file.exists():
                pytest.skip(skipped_file.read_text())
            if failed_file.exists():
                pytest.fail(f"(kept from an earlier test of this session) {failed_file.read_text()}", pytrace=False)
            if not value_file.exists():
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    value = produce(folder)
                except pytest.skip.Exception as exc:
                    skipped_file.write_text(str(exc.msg))
                    raise
                except BaseException as exc:
                    message = getattr(exc, "msg", None) or "".join(traceback.format_exception(exc))
                    failed_file.write_text(f"{key}: {message}")
                    raise
                value_file.write_text(json.dumps(value))
            value = json.loads(value_file.read_text())
        self._memo[key] = value
        return value


# Tests that read several histories of hourly runs (_histories.py): last, once those are made
# by the test processes that run each history's own tests (below).
_LAST = ("test_faulted_hourly_runs_of_either_source_equal_one_full_refresh",)
# The id a test reading one history carries (_support.history_engines): `[chdb-files-history]`.
_HISTORY_ID = re.compile(r"\[(\w+-(?:files|table)-history)\]$")


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.originalname in _LAST)  # stable: the rest keep their order


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """With `--dist loadgroup` (make test, make check): xdist's scheduling by scope, where the
    tests reading one history (their id) are one scope, sent to one process together and the
    largest first; every other test is a scope of its own. (xdist 3.8's own loadgroup reads
    `xdist_group` marks through a node attribute pytest 9 no longer has, so it groups nothing.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class HistoryScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            found = _HISTORY_ID.search(nodeid)
            return found.group(1) if found else nodeid

    return HistoryScheduling(config, log)


def _session_root(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    # under xdist each process has its own basetemp; their parent is the session's
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared"


@pytest.fixture(scope="session", autouse=True)
def shared(tmp_path_factory) -> Shared:
    root = _session_root(tmp_path_factory)
    # every warehouse a test makes starts from the session's newest parse (_support.engine_env)
    os.environ[PARSE_CACHE_ENV] = str(root / "parse")
    return Shared(root)


@pytest.fixture(scope="session")
def matrix(shared):
    """`matrix(engine, input)`: the `Built` warehouse of one input on one engine (see _matrix.py)."""
    from _matrix import build

    return lambda engine, name, **options: build(shared, engine, name, **options)
