"""Macros of macros/ that Python renders itself, with plain Jinja and without starting dbt: the SQL
the job and the loader run outside dbt is still written once, beside the models' macros, with a
`duckdb__` and a `clickhouse__` variant (macros/envelope.sql, macros/job_runs.sql). Such macros
use nothing of dbt's context (no ref, adapter, return or macros of other files)."""

from __future__ import annotations

import functools

import jinja2

from livepeer_analytics.warehouse import REPO_ROOT, target


@functools.cache
def _module(file: str):
    return jinja2.Environment(autoescape=False).from_string((REPO_ROOT / "macros" / file).read_text()).module


def render(file: str, name: str, *args) -> str:
    """The text of macro `name` of macros/<file>, called with `args`."""
    return str(getattr(_module(file), name)(*args)).strip()


def engine_prefix() -> str:
    """The dispatch prefix of the current target: `duckdb` or `clickhouse` (chdb is ClickHouse)."""
    return "duckdb" if target() == "duckdb" else "clickhouse"
