"""The read API (livepeer_analytics/api) over real HTTP, against a real server
process on a free loopback port, on private copies of warehouses of the build
matrix (conftest.py, _matrix.py):

- the project's fixture seed on DuckDB and on chdb (always run);
- the real events (prod snapshot and 2026-01-08 stream) on DuckDB (skipped when
  ../shared/fixtures is absent).

Checked, for every serving view (views.VIEWS: GPU metrics, network demand,
SLA compliance, ingest quality, GPU supply, supply and demand, GPU price and
performance): hourly API rows equal the views (every column, p95 included);
daily and total rows equal the sums of the hourly rows, with ratios
recomputed and p95 exact from the status samples, over the data's window and
over a 366-day window; ratios and p95 equal a direct SQL re-roll; the
distinct GPUs and orchestrators of the supply endpoints equal a direct
count(distinct) over fct_gpu_supply at every granularity, and the fixture's
hand-computed values; pagination returns every row exactly once (NULL groups
included); CSV equals JSON; DuckDB and chdb answer the same; the window
limits per granularity; bad requests, SQL injection, token, rate limit, 503
while a build holds the run lock, offline docs.
"""

from __future__ import annotations

import collections
import datetime as dt
import fcntl
import json
import os
import re
import sys
from pathlib import Path

import pytest

from _histories import files_history
from _support import (
    REPO_ROOT,
    Server,
    history_engines,
    query_dicts,
    values_equal,
)

sys.path.insert(0, str(REPO_ROOT))
from livepeer_analytics.api.query import over_sums  # noqa: E402
from livepeer_analytics.api.views import VIEWS  # noqa: E402

SPECS = {spec.path: spec for spec in VIEWS}


# ------------------------------------------------------------------ warehouses

class Warehouse:
    """A built warehouse, its views read directly (for comparison) and a server over it."""

    def __init__(self, name: str, env: dict, views: dict, db_path: Path | None, **settings: str):
        self.name, self.env, self.views, self.db_path = name, env, views, db_path
        self.server = Server(env, **settings)
        hours = [row[0] for v in views.values() for row in v["rows"]]
        self.first = min(hours) + "Z"
        self.end = (dt.datetime.fromisoformat(max(hours)) + dt.timedelta(hours=1)).isoformat() + "Z"

    @property
    def window(self) -> dict:
        return {"start": self.first, "end": self.end}

    def long_window(self, days: float = 366) -> dict:
        """A window of `days` days (the default maximum at granularity day, week and total) with the data in its
        middle: its first and last day and week hold no data."""
        start = dt.datetime.fromisoformat(self.first[:-1]) - dt.timedelta(days=days // 2)
        assert dt.datetime.fromisoformat(self.end[:-1]) <= start + dt.timedelta(days=days - 7)
        return {"start": start.isoformat() + "Z", "end": (start + dt.timedelta(days=days)).isoformat() + "Z"}


# name -> (engine, input of the build matrix, server settings). The real events span 2026-01-08 to
# 2026-02-24: their window is longer than the default maximum of 31 days at granularity=hour.
WAREHOUSES = {
    "seed_duckdb": ("duckdb", "seed", {}),
    "seed_chdb": ("chdb", "seed", {}),
    "real_duckdb": ("duckdb", "real", {"LIVEPEER_API_MAX_HOUR_WINDOW_DAYS": "60"}),
}


@pytest.fixture(scope="session")
def warehouses(matrix, tmp_path_factory):
    cache: dict[str, Warehouse] = {}

    def get(name: str) -> Warehouse:
        if name not in cache:
            engine, input_name, settings = WAREHOUSES[name]
            built = matrix(engine, input_name)
            # a private copy: these tests serve it and hold its run lock
            env = built.copy(tmp_path_factory.mktemp(f"api_{name}"))
            views = built.dump(*(spec.name for spec in VIEWS))
            db_path = Path(env["LIVEPEER_DUCKDB"]) if engine == "duckdb" else None
            cache[name] = Warehouse(name, env, views, db_path, **settings)
        return cache[name]

    yield get
    for warehouse in cache.values():
        warehouse.server.stop()


SEED_CHDB = pytest.param("seed_chdb", marks=pytest.mark.chdb)
REAL_DUCKDB = "real_duckdb"
ALL = ["seed_duckdb", SEED_CHDB, REAL_DUCKDB]
DUCKDB = ["seed_duckdb", REAL_DUCKDB]


def view_rows(warehouse: Warehouse, spec) -> dict:
    table = warehouse.views[spec.name]
    out = {}
    for row in table["rows"]:
        record = dict(zip(table["columns"], row))
        out[(record["window_start"], *(record[c] for c in spec.grain))] = record
    return out


def assert_row_equal(expected: dict, actual: dict, columns, where) -> None:
    different = [(c, expected[c], actual[c]) for c in columns if not values_equal(expected[c], actual[c])]
    assert not different, f"{where}: {different[:5]}"


# ------------------------------------------------------------------ correctness

@pytest.mark.parametrize("path", list(SPECS))
@pytest.mark.parametrize("name", ALL)
def test_hourly_rows_equal_the_view(warehouses, name, path):
    warehouse, spec = warehouses(name), SPECS[path]
    expected = view_rows(warehouse, spec)
    assert expected, f"{spec.name} is empty on {name}: nothing would be tested"
    # every column of the view is served: summed (additive) or recomputed (ratios, p95); the answer adds
    # the columns computed from a fact that the view cannot hold (distinct counts: checked below)
    assert warehouse.views[spec.name]["columns"] == ["window_start", *spec.grain, *spec.view_columns]
    rows = warehouse.server.all_rows(path, warehouse.window)
    actual = {(r["window_start"][:-1], *(r[c] for c in spec.grain)): r for r in rows}
    assert len(actual) == len(rows), "a row came twice"
    assert set(actual) == set(expected)
    assert all(list(r) == ["window_start", "window_end", *spec.grain, *spec.columns] for r in rows)
    for key, record in expected.items():
        assert_row_equal(record, actual[key], spec.view_columns, key)


def rolled(rows: list[dict], spec, keys) -> dict:
    """Python re-roll of API rows: sums of the additive columns per key."""
    sums = collections.defaultdict(lambda: collections.Counter())
    for row in rows:
        key = keys(row)
        for column in spec.additive:
            sums[key][column] += row[column]
    return sums


@pytest.mark.parametrize("path", list(SPECS))
@pytest.mark.parametrize("name", ALL)
def test_daily_and_total_rows_are_sums_of_hourly_rows(warehouses, name, path):
    warehouse, spec = warehouses(name), SPECS[path]
    hourly = warehouse.server.all_rows(path, warehouse.window)
    for granularity, bucket in (("day", lambda r: r["window_start"][:10]), ("total", lambda r: "")):
        expected = rolled(hourly, spec, lambda r, bucket=bucket: (bucket(r), *(r[c] for c in spec.grain)))
        rows = warehouse.server.all_rows(path, {**warehouse.window, "granularity": granularity})
        assert len(rows) == len(expected), granularity
        for row in rows:
            sums = expected[(bucket(row), *(row[c] for c in spec.grain))]
            assert_row_equal(sums, row, spec.additive, (granularity, row))
            ratios = ratios_of(spec, {c: sums[c] for c in spec.additive})
            assert_row_equal(ratios, row, list(ratios), (granularity, row))


def bucket_of(window_start: str, granularity: str) -> str:
    """The start of the bucket (UTC day, ISO week from Monday) an hour belongs to; '' for total."""
    start = dt.datetime.fromisoformat(window_start[:-1])
    if granularity in ("day", "week"):
        start = start.replace(hour=0)
    if granularity == "week":
        start -= dt.timedelta(days=start.weekday())
    return "" if granularity == "total" else start.isoformat()


@pytest.mark.parametrize("path", list(SPECS))
@pytest.mark.parametrize("name", ALL)
def test_a_366_day_window_rerolls_exactly(warehouses, name, path):
    """Day, week and total rows over 366 days (the default maximum) are the sums of the hourly rows, with
    the ratios recomputed from them, and equal the answer over the data's own window, p95 included."""
    warehouse, spec = warehouses(name), SPECS[path]
    hourly = warehouse.server.all_rows(path, warehouse.window)
    window = warehouse.long_window(366)
    for granularity, step in (("day", dt.timedelta(days=1)), ("week", dt.timedelta(weeks=1)), ("total", None)):
        def keys(r, g=granularity):
            return (bucket_of(r["window_start"], g), *(r[c] for c in spec.grain))

        expected = rolled(hourly, spec, keys)
        rows = warehouse.server.all_rows(path, {**window, "granularity": granularity})
        assert len(rows) == len(expected) > 0, granularity
        short = {keys(r): r for r in warehouse.server.all_rows(path, {**warehouse.window, "granularity": granularity})}
        for row in rows:
            sums = expected[keys(row)]
            assert_row_equal(sums, row, spec.additive, (granularity, row))
            ratios = ratios_of(spec, {c: sums[c] for c in spec.additive})
            assert_row_equal(ratios, row, list(ratios), (granularity, row))
            assert_row_equal(short[keys(row)], row, spec.columns, (granularity, row))  # p95 included
            start, end = (dt.datetime.fromisoformat(row[c][:-1]) for c in ("window_start", "window_end"))
            if step is None:
                assert (row["window_start"], row["window_end"]) == (window["start"], window["end"])
            else:  # the data is in the window's middle: whole buckets
                assert end - start == step and start.isoformat() == keys(row)[0], row


def ratios_of(spec, sums: dict) -> dict:
    """The view's ratios (the formulas of its YAML) evaluated by DuckDB over these sums."""
    import duckdb

    values = ", ".join(f"${column} as {column}" for column in spec.additive)
    ratios = ", ".join(f"{formula} as {name}" for name, formula in spec.derived.items())
    row = duckdb.connect().execute(f"select {ratios} from (select {values})",
                                   {c: sums[c] for c in spec.additive})
    return dict(zip(spec.derived, row.fetchone()))


def reroll_sql(spec, group: str) -> str:
    """The view re-rolled per `group` over a window in plain SQL: sums, then the view's formulas over them."""
    ratios = ", ".join(f"{over_sums(spec, formula, 'sum({})')} as {name}" for name, formula in spec.derived.items())
    return (f"select {group} as g, {ratios} from {spec.name} "
            "where window_start >= ? and window_start < ? group by 1")


def test_the_docs_pages_show_the_views_formulas():
    """The docs pages' formula cells are the YAML's (livepeer_devtools/view_docs.py writes them)."""
    from livepeer_devtools import view_docs

    assert view_docs.main(["--check"]) == 0, "run `python -m livepeer_devtools.view_docs`"


def test_the_api_holds_no_formula_of_its_own():
    """Every ratio the API returns is the view's YAML formula (views.py reads it): no Python module of the
    API names a derived column, as any formula of its own would have to, except to look its YAML formula
    up (`.derived["<name>"]`, as /metrics does for the network's startup success ratio)."""
    derived = {name for spec in VIEWS for name in spec.derived}
    assert derived >= {"sla_score", "success_ratio", "failure_rate", "avg_output_fps", "jitter_coeff_fps"}
    package = REPO_ROOT / "livepeer_analytics" / "api"
    for path in package.rglob("*.py"):
        text = re.sub(r'\.derived\["[a-z0-9_]+"\]', ".derived[...]", path.read_text())
        named = sorted(name for name in derived if re.search(rf"\b{name}\b", text))
        assert not named, f"{path.relative_to(REPO_ROOT)} names {named}: formulas live in vars.metric_formulas"


@pytest.mark.parametrize("days", [None, 366], ids=["data-window", "366-days"])
@pytest.mark.parametrize("path", list(SPECS))
@pytest.mark.parametrize("name", DUCKDB)
def test_ratios_equal_a_direct_sql_reroll(warehouses, name, path, days):
    warehouse, spec = warehouses(name), SPECS[path]
    group = spec.grain[0]
    bounds = warehouse.window if days is None else warehouse.long_window(days)
    window = [dt.datetime.fromisoformat(bounds[c][:-1]) for c in ("start", "end")]
    expected = {r["g"]: r for r in query_dicts(warehouse.db_path, reroll_sql(spec, group), window)}
    assert expected, f"{spec.name} has no rows in {bounds}"
    rows = warehouse.server.all_rows(path, {**bounds, "granularity": "total", "group_by": group})
    assert {r[group] for r in rows} == set(expected)
    for row in rows:
        record = expected[row[group]]
        assert_row_equal(record, row, [c for c in record if c != "g"], row[group])
    if "p95_output_fps" in spec.columns:  # exact from the status samples, never an average of hourly p95s
        p95 = {r["g"]: r["p95"] for r in query_dicts(warehouse.db_path, f"""
            select {group} as g, quantile_cont(output_fps, 0.95) as p95 from fct_status_samples
            where window_start >= ? and window_start < ? group by 1""", window)}
        assert p95 and set(p95) <= {row[group] for row in rows}
        for row in rows:
            assert values_equal(p95.get(row[group]), row["p95_output_fps"]), row[group]
        daily = warehouse.server.all_rows(path, {**bounds, "granularity": "day", "group_by": "gpu_id"})
        p95_day = {(r["d"].isoformat(), r["g"]): r["p95"] for r in query_dicts(warehouse.db_path, """
            select date_trunc('day', window_start) as d, gpu_id as g, quantile_cont(output_fps, 0.95) as p95
            from fct_status_samples where window_start >= ? and window_start < ? group by 1, 2""", window)}
        # a row without status samples (a GPU on offer that served nothing) has no p95
        assert set(p95_day) <= {(bucket_of(r["window_start"], "day"), r["gpu_id"]) for r in daily}
        for row in daily:
            day = bucket_of(row["window_start"], "day")
            assert values_equal(p95_day.get((day, row["gpu_id"])), row["p95_output_fps"]), row
            assert (row["status_samples"] > 0) == ((day, row["gpu_id"]) in p95_day), row


SUPPLY_PATHS = [path for path, spec in SPECS.items() if "distinct_gpus" in spec.columns]
ORCH_P = "0xa0a0b0b0c0c0d0d0e0e0f0f0a0a0b0b0c0c0d010"  # fixture scenario P: GPUs ...901, ...902, ...903


def distinct_sql(granularity: str, group: str, filtered: bool) -> str:
    """Distinct GPUs and orchestrators on offer per bucket and group, straight from fct_gpu_supply."""
    bucket = {"hour": "window_start", "day": "date_trunc('day', window_start)", "total": "null"}[granularity]
    return (f"select {bucket} as b, {group or 'null'} as g, count(distinct gpu_id) as gpus, "
            "count(distinct orchestrator_address) as orchestrators "
            "from (select *, coalesce(gpu_name, '') as name from fct_gpu_supply) as supply "
            "where supply_issue is null and is_first_listing and window_start >= ? and window_start < ?"
            + (" and model_id = ?" if filtered else "") + " group by 1, 2")


@pytest.mark.parametrize("filtered", [False, True], ids=["all", "one-model"])
@pytest.mark.parametrize("path", SUPPLY_PATHS)
@pytest.mark.parametrize("name", DUCKDB)
def test_distinct_counts_equal_a_direct_count_over_the_fact(warehouses, name, path, filtered):
    """distinct_gpus and distinct_orchestrators are exact per bucket and group (not sums of hourly counts):
    a count(distinct) over fct_gpu_supply with the same window and filter, at every granularity, by time
    only and per group; a row with demand and no supply counts 0."""
    warehouse, spec = warehouses(name), SPECS[path]
    window = [dt.datetime.fromisoformat(warehouse.window[c][:-1]) for c in ("start", "end")]
    models = collections.Counter(r["model_id"] for r in view_rows(warehouse, SPECS["/v1/gpu/supply"]).values())
    model = models.most_common(1)[0][0]
    for granularity in ("hour", "day", "total"):
        for group in ("", "model_id", *(["gpu_name", "pipeline"] if "gpu_name" in spec.grain else [])):
            column = {"gpu_name": "name"}.get(group, group)
            direct = {(r["b"].isoformat() if r["b"] else "", r["g"]): (r["gpus"], r["orchestrators"])
                      for r in query_dicts(warehouse.db_path, distinct_sql(granularity, column, filtered),
                                           window + ([model] if filtered else []))}
            params = {**warehouse.window, "granularity": granularity, "group_by": group,
                      **({"model_id": model} if filtered else {})}
            rows = warehouse.server.all_rows(path, params)
            got = {(bucket_of(r["window_start"], granularity), r.get(group)): (r["distinct_gpus"],
                                                                             r["distinct_orchestrators"])
                   for r in rows}
            assert len(got) == len(rows) and direct and set(direct) <= set(got), params
            for key, counts in got.items():
                assert counts == direct.get(key, (0, 0)), (params, key)
                assert all(isinstance(c, int) for c in counts)
            assert any(c[0] > 1 for c in direct.values()) or granularity == "hour", params


@pytest.mark.parametrize("name", ["seed_duckdb", SEED_CHDB])
def test_distinct_counts_of_the_fixture_by_hand(warehouses, name):
    """Scenario P of the fixture (livepeer_devtools/fixture_events.py): orchestrator ORCH_P offers GPUs 901,
    902 (SDXL) and 903 (SDXL V2V) at 10:00 and 901, 903 at 11:00 on 2026-03-02."""
    server = warehouses(name).server
    window = {"start": "2026-03-02T10:00:00Z", "end": "2026-03-02T12:00:00Z"}
    mine = {**window, "group_by": "orchestrator_address", "orchestrator_address": ORCH_P}

    def counts(path, params, *columns):
        return [tuple(r[c] for c in columns) for r in server.all_rows(path, params)]

    distinct = ("distinct_gpus", "distinct_orchestrators")
    # 5 GPU-hours but 3 GPUs; per hour 3 then 2
    assert counts("/v1/gpu/supply", {**mine, "granularity": "total"}, "advertised_gpu_hours", *distinct) == [(5, 3, 1)]
    assert counts("/v1/gpu/supply", mine, "window_start", *distinct) == [
        ("2026-03-02T10:00:00Z", 3, 1), ("2026-03-02T11:00:00Z", 2, 1)]
    assert counts("/v1/gpu/supply", {**mine, "granularity": "day", "group_by": "gpu_name"}, "gpu_name",
                  *distinct) == [("NVIDIA GeForce RTX 5090", 3, 1)]
    # SDXL V2V over both hours: 4 GPUs of 3 orchestrators at 10:00 (903, 201, 202, 301), 3 of 3 at 11:00
    # (903, 611, 601): 7 GPU-hours and 6 orchestrator-hours, but 6 GPUs of 5 orchestrators
    v2v = {**window, "granularity": "total", "group_by": "model_id", "model_id": "streamdiffusion-sdxl-v2v"}
    assert counts("/v1/supply/demand", v2v, "model_id", "advertised_gpu_hours", "advertising_orchestrator_hours",
                  *distinct) == [("streamdiffusion-sdxl-v2v", 7, 6, 6, 5)]
    # demand without supply (sessions of an unknown model): 0, not null
    unknown = counts("/v1/supply/demand", {**window, "model_id": "", "group_by": "model_id"}, "total_sessions",
                     *distinct)
    assert unknown and all(sessions > 0 and (gpus, orchs) == (0, 0) for sessions, gpus, orchs in unknown)


@pytest.mark.parametrize("group_by", [None, "gpu_id", "region,model_id"])
@pytest.mark.parametrize("name", DUCKDB)
def test_pagination_returns_every_row_once(warehouses, name, group_by):
    warehouse = warehouses(name)
    params = {**warehouse.window, **({"group_by": group_by} if group_by else {})}
    for path, spec in SPECS.items():
        if group_by:
            params["group_by"] = (",".join(c for c in group_by.split(",") if c in spec.grain)
                                  or ("region" if "region" in spec.grain else spec.grain[-1]))
        whole = warehouse.server.all_rows(path, params)
        # more than one page at limit 1, unless the view has a single row (the real events' ingest quality)
        assert len(whole) > 1 or len(warehouse.views[spec.name]["rows"]) == 1, (path, params)
        for limit in (1, 2, 7):
            paged = warehouse.server.all_rows(path, params, limit=limit)
            # same rows in the same order (float sums may differ in the last bit between plans)
            assert [key(r, spec) for r in paged] == [key(r, spec) for r in whole], (path, params, limit)
            for a, b in zip(paged, whole):
                assert_row_equal(b, a, list(b), (path, params, limit))
    if group_by:
        params["group_by"] = group_by
    nulls = [r for r in warehouse.server.all_rows("/v1/gpu/metrics", params) if r.get("gpu_id", "x") is None]
    if group_by in (None, "gpu_id"):
        assert nulls, "no NULL gpu_id group: the NULL keyset is untested"
        only_null = warehouse.server.all_rows("/v1/gpu/metrics", {**params, "gpu_id": "~null"}, limit=1)
        gpu_spec = SPECS["/v1/gpu/metrics"]
        assert [key(r, gpu_spec) for r in only_null] == [key(r, gpu_spec) for r in nulls]


def key(row: dict, spec) -> tuple:
    return (row["window_start"], *(row.get(c, "-") for c in spec.grain))


QUERIES = [
    {}, {"granularity": "day"}, {"granularity": "total", "group_by": "orchestrator_address"},
    {"granularity": "total", "group_by": ""}, {"granularity": "week", "group_by": "region"},
    {"group_by": "gpu_id", "gpu_id": "~null"}, {"days": 366, "granularity": "week"},
    {"days": 366, "granularity": "total", "group_by": "region"},
]


@pytest.mark.chdb
def test_duckdb_and_chdb_answer_the_same(warehouses):
    duck, click = warehouses("seed_duckdb"), warehouses("seed_chdb")
    assert duck.window == click.window
    for path, spec in SPECS.items():
        for params in QUERIES:
            windows = (duck.window, click.window) if "days" not in params else (
                duck.long_window(params["days"]), click.long_window(params["days"]))
            params = {k: v for k, v in params.items() if k in ("granularity", "group_by") or k in spec.grain}
            if "group_by" in params:
                params["group_by"] = ",".join(c for c in params["group_by"].split(",") if c in spec.grain)
            left = duck.server.all_rows(path, {**windows[0], **params}, limit=3)
            right = click.server.all_rows(path, {**windows[1], **params}, limit=3)
            # no row only for a NULL filter on a view that has no NULL there (GPU supply: every GPU has an id)
            nulls = [c for c, v in params.items() if v == "~null"]
            empty = nulls and all(v[nulls[0]] is not None for v in view_rows(duck, spec).values())
            assert len(left) == len(right) and (len(left) == 0) == bool(empty), (path, params)
            for a, b in zip(left, right):
                assert_row_equal(a, b, list(a), (path, params))
                assert list(a) == list(b)


@pytest.mark.parametrize("path", list(SPECS))
def test_csv_matches_json(warehouses, path):
    import csv

    warehouse, spec = warehouses("seed_duckdb"), SPECS[path]
    for params in ({**warehouse.window, "granularity": "total", "group_by": spec.grain[-1]}, warehouse.window):
        rows = warehouse.server.all_rows(path, params)
        status, headers, body = warehouse.server.get(path, {**params, "format": "csv"})
        assert status == 200 and headers["content-type"].startswith("text/csv") and "x-next-cursor" not in headers
        table = list(csv.reader(body.splitlines()))
        assert table[0] == list(rows[0]) and len(table) == len(rows) + 1
        assert table[1:] == [["" if v is None else str(v) for v in row.values()] for row in rows]
    # the next page's cursor is a header
    status, headers, body = warehouse.server.get(path, {**warehouse.window, "format": "csv", "limit": 1})
    assert status == 200 and len(body.splitlines()) == 2
    page = warehouse.server.json(path, {**warehouse.window, "limit": 1})
    assert headers["x-next-cursor"] == page["next_cursor"]


def test_healthz_and_offline_docs(warehouses):
    warehouse = warehouses("seed_duckdb")
    health = warehouse.server.json("/healthz")
    assert health["status"] == "ok" and health["newest_window_start"] == (
        dt.datetime.fromisoformat(warehouse.end[:-1]) - dt.timedelta(hours=1)).isoformat() + "Z"
    spec = warehouse.server.json("/openapi.json")
    assert {"/v1/gpu/metrics", "/v1/network/demand", "/v1/sla/compliance", "/v1/ingest/quality", "/v1/gpu/supply",
            "/v1/supply/demand", "/v1/gpu/price-performance", "/v1/data-quality", "/healthz"} <= set(spec["paths"])
    limits = "end - start at most 31 days at granularity=hour, 366 days at day, week and total"
    for path in SPECS:
        get = spec["paths"][path]["get"]
        documented = {p["name"]: p.get("description", "") for p in get["parameters"]}
        assert limits in get["description"] and limits in documented["end"], path
        assert set(documented) == {"start", "end", "granularity", "limit", "cursor", "format", "group_by",
                                   *SPECS[path].grain}, path
    for page, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        status, _, html = warehouse.server.get(page)
        assert status == 200 and f"/static-offline-docs/{asset}" in html and "cdn" not in html.lower()
        status, _, _ = warehouse.server.get(f"/static-offline-docs/{asset}")
        assert status == 200
    # the dashboard page and its assets, plotly.js included, come from the project (no CDN)
    status, _, html = warehouse.server.get("/")
    assert status == 200 and "/dashboard/plotly.min.js" in html and "cdn" not in html.lower()
    for asset in ("plotly.min.js", "dashboard.js", "dashboard.css"):
        assert warehouse.server.get(f"/dashboard/{asset}")[0] == 200, asset
    assert warehouse.server.get("/dashboard/../app.py")[0] == 404
    # the default window: the 24 hours ending at the newest window_start + 1 h
    page = warehouse.server.json("/v1/sla/compliance")
    assert page["end"] == warehouse.end


# ------------------------------------------------------------------ data quality

DQ_EXPECTED_SQL = {
    "lines": "select sum(delivered_lines) as delivered_lines, sum(accepted_events) as accepted_events, "
             "sum(duplicate_lines) as duplicate_lines, sum(quarantined_lines) as quarantined_lines, "
             "sum(timestamp_in_seconds_events) as timestamp_in_seconds_events from dq_event_summary",
    "reasons": "select quarantine_reason, sum(line_count) as lines, count(*) as distinct_lines "
               "from dq_quarantined_events group by 1",
    "flags": "select flag, count(*) as events from dq_flagged_events group by 1",
    "errors": "select message, event_count, session_count from dq_unclassified_errors",
    "subtypes": "select trace_subtype, trace_category, event_count from dq_unmapped_trace_subtypes",
}


@pytest.mark.parametrize("name", DUCKDB)
def test_data_quality_equals_the_dq_models(warehouses, name):
    warehouse = warehouses(name)
    dq = warehouse.server.json("/v1/data-quality", {"limit": 10000})
    direct = {key: query_dicts(warehouse.db_path, sql) for key, sql in DQ_EXPECTED_SQL.items()}
    assert dq["lines"] == {k: int(v or 0) for k, v in direct["lines"][0].items()}
    assert dq["lines"]["delivered_lines"] > 0
    assert dq["lines"]["delivered_lines"] == (dq["lines"]["accepted_events"] + dq["lines"]["duplicate_lines"]
                                              + dq["lines"]["quarantined_lines"])
    assert {r["quarantine_reason"]: (r["lines"], r["distinct_lines"]) for r in dq["quarantined_by_reason"]} == {
        r["quarantine_reason"]: (r["lines"], r["distinct_lines"]) for r in direct["reasons"]}
    assert sum(r["lines"] for r in dq["quarantined_by_reason"]) == dq["lines"]["quarantined_lines"]
    lines = [r["lines"] for r in dq["quarantined_by_reason"]]
    assert lines == sorted(lines, reverse=True)
    assert {r["flag"]: r["events"] for r in dq["flagged_by_flag"]} == {r["flag"]: r["events"] for r in direct["flags"]}
    errors, subtypes = dq["unclassified_errors"], dq["unmapped_trace_subtypes"]
    assert errors["messages"] == len(direct["errors"]) == len(errors["top"])
    assert errors["events"] == sum(r["event_count"] for r in direct["errors"])
    assert {r["message"]: (r["event_count"], r["session_count"]) for r in errors["top"]} == {
        r["message"]: (r["event_count"], r["session_count"]) for r in direct["errors"]}
    assert subtypes["subtypes"] == len(direct["subtypes"]) == len(subtypes["top"])
    assert subtypes["events"] == sum(r["event_count"] for r in direct["subtypes"])
    assert {(r["trace_subtype"], r["trace_category"]): r["event_count"] for r in subtypes["top"]} == {
        (r["trace_subtype"], r["trace_category"]): r["event_count"] for r in direct["subtypes"]}
    # the limit cuts the lists, most frequent first, never the counts
    short = warehouse.server.json("/v1/data-quality", {"limit": 1})
    assert len(short["unclassified_errors"]["top"]) <= 1 and len(short["unmapped_trace_subtypes"]["top"]) <= 1
    assert short["unclassified_errors"]["messages"] == errors["messages"]
    if errors["top"]:
        assert short["unclassified_errors"]["top"][0]["event_count"] == max(r["event_count"] for r in errors["top"])


@pytest.mark.chdb
def test_data_quality_duckdb_and_chdb_answer_the_same(warehouses):
    duck, click = warehouses("seed_duckdb"), warehouses("seed_chdb")
    assert duck.server.json("/v1/data-quality") == click.server.json("/v1/data-quality")


DQ_BAD = [
    ({"limit": "0"}, "out of range"),
    ({"limit": "ten"}, "not an integer"),
    ({"limit": "1; drop table dq_event_summary"}, "not an integer"),
    ({"limit": ["1", "2"]}, "given 2 times"),
    ({"start": "2026-03-01"}, "unknown parameter 'start'"),
]


@pytest.mark.parametrize("params,message", DQ_BAD, ids=[m for _, m in DQ_BAD])
def test_data_quality_bad_requests_get_one_clear_400(warehouses, params, message):
    status, _, body = warehouses("seed_duckdb").server.get("/v1/data-quality", params)
    assert status == 400, body
    payload = json.loads(body)
    assert list(payload) == ["error"] and message in payload["error"] and "\n" not in payload["error"]


# ------------------------------------------------------------------ bad input

BAD = [
    ({"group_by": "colour"}, "unknown column 'colour' in group_by"),
    ({"granularity": "month"}, "granularity"),
    ({"start": "2026-03-02T00:00:00Z", "end": "2026-03-01T00:00:00Z"}, "not after start"),
    # the window limits: 31 days at granularity=hour, 366 at day, week and total (the defaults)
    ({"start": "2026-01-01T00:00:00Z", "end": "2026-02-02T00:00:00Z"},
     "longer than the maximum of 31 days for granularity=hour: narrow start/end or use granularity day"),
    ({"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T01:00:00Z", "granularity": "hour"},
     "2026-01-01T00:00:00Z to 2026-02-01T01:00:00Z is longer than the maximum of 31 days for granularity=hour"),
    ({"start": "2025-03-01T00:00:00Z", "end": "2026-03-03T00:00:00Z", "granularity": "day"},
     "longer than the maximum of 366 days for granularity=day: narrow start/end"),
    ({"start": "2025-03-01T00:00:00Z", "end": "2026-03-03T00:00:00Z", "granularity": "week"},
     "longer than the maximum of 366 days for granularity=week"),
    ({"start": "2025-03-01T00:00:00Z", "end": "2026-03-02T00:30:00Z", "granularity": "total"},
     "2025-03-01T00:00:00Z to 2026-03-02T01:00:00Z is longer than the maximum of 366 days for granularity=total"),
    ({"start": "2024-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"}, "for granularity=hour: narrow start/end"),
    ({"start": "yesterday"}, "ISO 8601"),
    ({"limit": "0"}, "out of range"),
    ({"limit": "1000000"}, "out of range"),
    ({"limit": "ten"}, "not an integer"),
    ({"cursor": "not-a-cursor"}, "malformed cursor"),
    ({"cursor": "eyJxIjoiMTIzIiwiayI6W119"}, "different query"),
    ({"format": "xml"}, "format"),
    ({"colour": "red"}, "unknown parameter 'colour'"),
    ({"limit": ["1", "2"]}, "given 2 times"),
]


@pytest.mark.parametrize("params,message", BAD, ids=[m[:60] for _, m in BAD])
@pytest.mark.parametrize("path", list(SPECS))
def test_bad_requests_get_one_clear_400(warehouses, path, params, message):
    status, headers, body = warehouses("seed_duckdb").server.get(path, params)
    assert status == 400, body
    payload = json.loads(body)
    assert list(payload) == ["error"] and message in payload["error"] and "\n" not in payload["error"]
    assert "Traceback" not in body
    if message.endswith("narrow start/end"):  # no hint to a coarser granularity when none would accept it
        assert payload["error"].endswith(message), payload


@pytest.mark.parametrize("path", list(SPECS))
def test_each_granularity_accepts_windows_up_to_its_maximum(warehouses, path):
    """Exactly 31 days at granularity=hour and exactly 366 at day, week and total are answered; an hour
    more is the 400 of test_bad_requests_get_one_clear_400."""
    warehouse, spec = warehouses("seed_duckdb"), SPECS[path]
    hourly = warehouse.server.all_rows(path, warehouse.window)
    everything = rolled(hourly, spec, lambda r: "")[""]
    for granularity, days in (("hour", 31), ("day", 366), ("week", 366), ("total", 366)):
        window = warehouse.long_window(days)
        rows = warehouse.server.all_rows(path, {**window, "granularity": granularity})
        if granularity == "hour":
            assert rows == hourly
        assert_row_equal(everything, rolled(rows, spec, lambda r: "")[""], spec.additive, granularity)
        later = dt.datetime.fromisoformat(window["end"][:-1]) + dt.timedelta(hours=1)
        status, _, body = warehouse.server.get(path, {**window, "granularity": granularity,
                                                      "end": later.isoformat() + "Z"})
        assert status == 400 and f"maximum of {days} days for granularity={granularity}" in body, body


def test_window_limits_are_settings(monkeypatch):
    """LIVEPEER_API_MAX_HOUR_WINDOW_DAYS (31) bounds hourly windows, LIVEPEER_API_MAX_ROLLUP_WINDOW_DAYS (366)
    day, week and total ones; the hour limit's old name, LIVEPEER_API_MAX_WINDOW_DAYS, still sets it."""
    from livepeer_analytics.api.config import ConfigError, Settings

    names = ("LIVEPEER_API_MAX_HOUR_WINDOW_DAYS", "LIVEPEER_API_MAX_ROLLUP_WINDOW_DAYS", "LIVEPEER_API_MAX_WINDOW_DAYS")

    def limits(**env) -> tuple:
        for name in names:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = Settings.from_env()
        return tuple(settings.max_window_days(g) for g in ("hour", "day", "week", "total"))

    assert limits() == (31, 366, 366, 366)
    assert limits(LIVEPEER_API_MAX_HOUR_WINDOW_DAYS="7", LIVEPEER_API_MAX_ROLLUP_WINDOW_DAYS="90") == (7, 90, 90, 90)
    assert limits(LIVEPEER_API_MAX_WINDOW_DAYS="14") == (14, 366, 366, 366)
    assert limits(LIVEPEER_API_MAX_WINDOW_DAYS="14", LIVEPEER_API_MAX_HOUR_WINDOW_DAYS="3") == (3, 366, 366, 366)
    with pytest.raises(ConfigError, match="LIVEPEER_API_MAX_HOUR_WINDOW_DAYS is above"):
        limits(LIVEPEER_API_MAX_HOUR_WINDOW_DAYS="400")
    with pytest.raises(ConfigError, match="LIVEPEER_API_MAX_ROLLUP_WINDOW_DAYS='a year' is not a number"):
        limits(LIVEPEER_API_MAX_ROLLUP_WINDOW_DAYS="a year")


def test_a_cursor_of_another_query_is_refused(warehouses):
    warehouse = warehouses("seed_duckdb")
    page = warehouse.server.json("/v1/gpu/metrics", {**warehouse.window, "limit": 1})
    status, _, body = warehouse.server.get("/v1/gpu/metrics", {**warehouse.window, "limit": 1, "granularity": "day",
                                                                "cursor": page["next_cursor"]})
    assert status == 400 and "different query" in body


INJECTIONS = [
    "'; drop table fct_status_samples; --",
    "x' or '1'='1",
    "1); select * from information_schema.tables; --",
    "window_start) as bucket from fct_payments --",
    "\\' or 1=1 --",
    "%(p0)s",
    "$p0",
]


@pytest.mark.parametrize("path", list(SPECS))
@pytest.mark.parametrize("name", ["seed_duckdb", SEED_CHDB])
def test_sql_injection_through_every_parameter(warehouses, name, path):
    warehouse = warehouses(name)
    spec = SPECS[path]
    for payload in INJECTIONS:
        for parameter in ("start", "end", "granularity", "group_by", "limit", "cursor", "format", *spec.grain):
            status, _, body = warehouse.server.get(spec.path, {**warehouse.window, parameter: payload})
            assert status in (200, 400), (parameter, payload, status, body)
            if status == 200:  # a filter value: matched literally, so no rows
                assert parameter in spec.grain and json.loads(body)["rows"] == [], (parameter, payload, body)
        status, _, body = warehouse.server.get(spec.path, {**warehouse.window, payload: "x"})
        assert status == 400, body
    # everything is still there
    assert len(warehouse.server.all_rows(spec.path, warehouse.window)) == len(warehouse.views[spec.name]["rows"])


# ------------------------------------------------------------------ access

def test_token_rate_limit_and_busy(warehouses):
    warehouse = warehouses("seed_duckdb")
    guarded = Server(warehouse.env, LIVEPEER_API_TOKEN="s3cret", LIVEPEER_API_RATE_LIMIT="3",
                     LIVEPEER_API_RATE_PERIOD_S="3600")
    try:
        status, headers, body = guarded.get("/v1/network/demand")
        assert status == 401 and headers.get("www-authenticate") == "Bearer", body
        status, _, body = guarded.get("/v1/network/demand", headers={"Authorization": "Bearer wrong"})
        assert status == 401, body
        status, _, body = guarded.get("/v1/data-quality")
        assert status == 401 and "bearer token" in json.loads(body)["error"], body
        assert guarded.get("/healthz")[0] == 200  # open: it tells only whether the data is fresh
        assert guarded.get("/favicon.ico")[0] == 204  # open, and no 404 in a browser's console
        auth = {"Authorization": "Bearer s3cret"}
        assert [guarded.get(path, headers=auth)[0] for path in ("/v1/network/demand", "/v1/data-quality",
                                                                 "/v1/network/demand")] == [200, 200, 200]
        status, headers, body = guarded.get("/v1/data-quality", headers=auth)
        assert status == 429 and int(headers["retry-after"]) >= 1 and "rate limit" in body
    finally:
        guarded.stop()

    # a build holds the run lock: 503 with one line, the file is not touched
    lock = Path(str(warehouse.db_path)).with_suffix(".duckdb.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        status, headers, body = warehouse.server.get("/v1/network/demand", warehouse.window)
        assert status == 503 and "build is running" in json.loads(body)["error"], body
        assert headers.get("retry-after")
    finally:
        os.close(fd)
    assert warehouse.server.get("/v1/network/demand", warehouse.window)[0] == 200


# ------------------------------------------------------------------ property

def test_any_group_filter_and_granularity_rerolls_the_hourly_rows(warehouses):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    warehouse = warehouses("seed_duckdb")
    hourly = {path: warehouse.server.all_rows(path, warehouse.window) for path in SPECS}

    @st.composite
    def requests(draw):
        path = draw(st.sampled_from(list(SPECS)))
        spec = SPECS[path]
        group = draw(st.lists(st.sampled_from(spec.grain), unique=True))
        granularity = draw(st.sampled_from(["hour", "day", "week", "total"]))
        column = draw(st.sampled_from(spec.grain))
        seen = sorted({r[column] for r in hourly[path]}, key=lambda v: (v is None, v or ""))
        chosen = draw(st.lists(st.sampled_from(seen), max_size=2, unique=True))
        return path, group, granularity, column, chosen

    @settings(max_examples=int(os.environ.get("LIVEPEER_API_EXAMPLES", "15")), deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(requests())
    def check(request):
        path, group, granularity, column, chosen = request
        spec = SPECS[path]
        rows = [r for r in hourly[path] if not chosen or r[column] in chosen]

        def bucket(r):
            return bucket_of(r["window_start"], granularity)

        expected = rolled(rows, spec, lambda r: (bucket(r), *(r[c] for c in spec.grain if c in group)))
        params = {**warehouse.window, "granularity": granularity, "group_by": ",".join(group),
                  column: ["~null" if v is None else v for v in chosen]}
        got = warehouse.server.all_rows(path, params, limit=5)
        assert len(got) == len(expected), params
        for row in got:
            start = dt.datetime.fromisoformat(row["window_start"][:-1])
            key_start = "" if granularity == "total" else bucket({"window_start": row["window_start"]})
            assert granularity == "total" or start.isoformat() >= key_start
            sums = expected[(key_start, *(row[c] for c in spec.grain if c in group))]
            assert_row_equal(sums, row, spec.additive, params)
            ratios = ratios_of(spec, dict(sums))
            assert_row_equal(ratios, row, list(ratios), params)

    check()


# ------------------------------------------------------------------ builds while serving

@pytest.mark.slow
@pytest.mark.parametrize("engine", history_engines("files", ("duckdb",)))
def test_a_build_runs_while_the_api_serves(shared, engine):
    """`make build` on a DuckDB file the API is serving under load (one run of the files history,
    _histories.build_while_the_api_serves): the build waits for the requests in flight and succeeds
    (the history checks it); meanwhile the API answers 200 or 503, never 500."""
    served = files_history(shared, engine)["served"]
    statuses = served["statuses"]
    assert set(statuses) <= {200, 503} and 200 in statuses, collections.Counter(statuses)
    assert served["after"] == 200


def test_no_warehouse_is_a_503_with_one_line(tmp_path):
    from _support import engine_env

    server = Server(engine_env("duckdb", tmp_path))  # no file was built there
    try:
        for path in ("/healthz", "/v1/gpu/metrics"):
            status, _, body = server.get(path)
            assert status == 503 and "DuckDB file not found" in json.loads(body)["error"], body
        status, _, body = server.get("/v1/nowhere")
        assert status == 404 and json.loads(body) == {"error": "Not Found"}
    finally:
        server.stop()
