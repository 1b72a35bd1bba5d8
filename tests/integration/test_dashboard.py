"""The dashboard page (`make serve`, /) in a real browser: headless Chromium driven
by Selenium (Debian's `chromium` and `chromium-driver`; skipped with a message
when they are missing), against a real API server with a token set, on

- the project's fixture seed on DuckDB (always);
- the real events (prod snapshot and 2026-01-08 stream) on DuckDB (skipped when
  ../shared/fixtures is absent).

Each on a private copy of the build matrix's warehouse (conftest.py, _matrix.py).

One server per warehouse and one browser for the module. Checked: without a
token the page asks for one and works once it is given; it loads with no
console errors and every panel has data; the numbers it shows (exposed as
data-value attributes, table cells and the charts' data) equal a direct API
request with the same window and filters, in every panel (demand, FPS, SLA,
ingest quality, supply vs demand and the best value GPUs); hand-checked values
of the fixture's ingest metrics (scenarios A, B, M) and supply (scenario P);
the window selector, the filters, the FPS selector, the SLA controls and the
supply panel's model choice change what is shown; an empty window is
explained, not drawn; the page reloads itself on a timer until paused, and
marks the bucket still filling as partial; the header shows the job's last run
(/v1/runs: the seed's one successful run, its age from the API's finished_at)
and, on a private copy written to as the job writes it, follows a killed run, a
failed one, the success that repairs them and a warehouse with no run recorded,
and says "unknown" while the job holds the warehouse (503). Screenshots at 1440x900 and 414x896 are written to
target/dashboard-<warehouse>-{desktop,narrow}.png for review.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from livepeer_analytics import run_history

from _support import REPO_ROOT, Server, as_the_job

CHROMIUM = os.environ.get("LIVEPEER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("LIVEPEER_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
TOKEN = "dashboard-test-token"
SCREENSHOTS = REPO_ROOT / "target"
STALE_AFTER_S = 2 * 3600  # dashboard.js STALE_AFTER_S

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # pragma: no cover
    webdriver = None

pytestmark = [pytest.mark.browser]
if webdriver is None:
    pytestmark.append(pytest.mark.skip(reason="selenium is not installed (pip install -r requirements-dev.txt)"))
elif not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
    pytestmark.append(pytest.mark.skip(
        reason=f"browser tests need chromium and chromedriver ({CHROMIUM}, {CHROMEDRIVER} not found): "
               "apt-get install chromium chromium-driver (.ci/run does when apt is available)"))


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1440,900", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(1440, 900)
    yield driver
    driver.quit()


class Site:
    """A token-protected API server over one built warehouse, and what the page shows of it."""

    def __init__(self, name: str, env: dict):
        self.name = name
        self.server = Server(env, LIVEPEER_API_TOKEN=TOKEN)
        self.base = f"http://127.0.0.1:{self.server.port}"

    def api(self, path: str, params=None) -> dict:
        return self.server.json(path, params, headers={"Authorization": f"Bearer {TOKEN}"})

    def rows(self, path: str, params: dict) -> list[dict]:
        rows, cursor = [], None
        while True:
            page = self.api(path, {**params, "limit": 10000, **({"cursor": cursor} if cursor else {})})
            rows += page["rows"]
            cursor = page["next_cursor"]
            if cursor is None:
                return rows


@pytest.fixture(scope="module", params=["seed", pytest.param("real", marks=pytest.mark.slow)])
def site(request, matrix, tmp_path_factory):
    env = matrix("duckdb", request.param).copy(tmp_path_factory.mktemp(f"dashboard_{request.param}"))
    site = Site(request.param, env)
    yield site
    site.server.stop()


# ------------------------------------------------------------------ page helpers

def state(driver) -> tuple[str, int]:
    return driver.execute_script("return [document.body.dataset.state, Number(document.body.dataset.renders)]")


def wait_render(driver, after: int, expect: str = "ready") -> None:
    """Wait for the page to finish a load started after `after` renders (or to show an error)."""
    def done(d):
        current, renders = state(d)
        return current == "error" or (current == "ready" and renders > after)
    try:
        WebDriverWait(driver, 90, poll_frequency=0.1).until(done)
    except TimeoutException:
        pytest.fail(f"the page did not finish loading: {state(driver)}, message "
                    f"{driver.find_element(By.ID, 'message').text!r}", pytrace=False)
    current, _ = state(driver)
    assert current == expect, driver.find_element(By.ID, "message").text


def renders(driver) -> int:
    return state(driver)[1]


def open_page(driver, site: Site, token: str | None = TOKEN, refresh: bool = False, query: str = "") -> None:
    """Open the page afresh with this token in localStorage (set on a plain page of the same origin).
    Auto-refresh is paused unless `refresh`: a timed reload must not finish a wait meant for a click."""
    driver.get(site.base + "/healthz")
    driver.execute_script("localStorage.clear()")
    if token is not None:
        driver.execute_script("localStorage.setItem('livepeerApiToken', arguments[0])", token)
    driver.execute_script("localStorage.setItem('livepeerAutoRefresh', arguments[0])", "on" if refresh else "off")
    driver.get_log("browser")  # only this load's messages from here on
    driver.get(site.base + "/" + query)
    wait_render(driver, 0, "error" if token is None else "ready")


def console_errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def value(driver, element_id: str) -> float | None:
    raw = driver.find_element(By.ID, element_id).get_attribute("data-value")
    return None if raw in (None, "") else float(raw)


def shown_window(driver) -> dict:
    w = driver.find_element(By.ID, "window")
    return {"start": w.get_attribute("data-start"), "end": w.get_attribute("data-end"),
            "granularity": w.get_attribute("data-granularity")}


def chart(driver, element_id: str) -> list[dict]:
    """The traces plotly drew in a chart: name, x and y as the page passed them."""
    return driver.execute_script(
        "const el = document.getElementById(arguments[0]);"
        "return (el.data || []).map(t => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y)}));", element_id)


def select(driver, element_id: str, option_value: str) -> None:
    before = renders(driver)
    Select(driver.find_element(By.ID, element_id)).select_by_value(option_value)
    wait_render(driver, before)


def options(driver, element_id: str) -> list[str]:
    return [o.get_attribute("value") for o in Select(driver.find_element(By.ID, element_id)).options][1:]


def decode(option_value: str) -> str:
    return option_value[1:] if option_value.startswith("=") else option_value


def table(driver, element_id: str) -> list[dict]:
    """A table's rows as shown: {column: the cell's raw value (data-value, '' for none)}."""
    return driver.execute_script("""
        return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')].map(tr => Object.fromEntries(
            [...tr.cells].map(td => [td.dataset.key, td.dataset.value])));""", element_id)


def sla_table(driver) -> list[dict]:
    return table(driver, "sla-table")


def number(raw):
    return None if raw in (None, "") else float(raw)


def set_custom_window(driver, start: str, end: str) -> None:
    """Apply a custom window (ISO times, UTC, whole hours) and wait for the page to show it."""
    Select(driver.find_element(By.ID, "window-select")).select_by_value("custom")
    driver.execute_script("document.getElementById('custom-start').value = arguments[0];"
                          "document.getElementById('custom-end').value = arguments[1];", start[:16], end[:16])
    before = renders(driver)
    driver.find_element(By.ID, "custom-apply").click()
    wait_render(driver, before)


def last_run(driver) -> dict:
    """The header's last run (its data attributes, text and tooltip) and the run alert under the controls."""
    return driver.execute_script("""
        const el = document.getElementById('last-run'), alert = document.getElementById('run-alert');
        return {state: el.dataset.state, run_state: el.dataset.runState, run_id: el.dataset.runId,
                age: el.dataset.age, finished_at: el.dataset.finishedAt, started_at: el.dataset.startedAt,
                text: el.textContent, title: el.title,
                alert: alert.hidden ? null : [...alert.children].map(line => line.textContent),
                failed: alert.dataset.failed, killed: alert.dataset.killed}""")


def ago(seconds: float) -> str:
    """dashboard.js `ago` (Math.round rounds halves up)."""
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"{math.floor(seconds / 60 + 0.5)} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{math.floor(seconds / 86400 + 0.5)} days"


def epoch(iso_text: str) -> float:
    return dt.datetime.fromisoformat(iso_text.replace("Z", "+00:00")).timestamp()


def utc(iso_text: str) -> str:
    return iso_text[:19].replace("T", " ") + " UTC"


def click(driver, css: str) -> None:
    """Click something that reloads the page's data, and wait for that load."""
    before = renders(driver)
    driver.find_element(By.CSS_SELECTOR, css).click()
    wait_render(driver, before)


# ------------------------------------------------------------------ what the page must equal

# the ingest panel's window totals: element id -> /v1/ingest/quality column
INGEST_TOTALS = (("ingest-mbps", "ingest_mbps"), ("ingest-loss", "packet_loss_pct"),
                 ("ingest-jitter-video", "avg_video_jitter_ms"), ("ingest-jitter-audio", "avg_audio_jitter_ms"),
                 ("ingest-good", "conn_quality_good_ratio"), ("ingest-bad", "conn_quality_bad_ratio"),
                 ("ingest-other", "conn_quality_other_ratio"), ("ingest-samples", "ingest_samples"))
# the columns of the supply table (per model, /v1/supply/demand) and of the best value GPUs
# (/v1/gpu/price-performance), after the group columns
SUPPLY_COLUMNS = ("distinct_gpus", "distinct_orchestrators", "advertised_gpu_hours", "utilisation_ratio",
                  "avg_price_wei_per_pixel", "total_sessions", "total_inference_minutes",
                  "inference_minutes_per_gpu_hour", "missing_capacity_count")
VALUE_COLUMNS = ("avg_price_wei_per_pixel", "sla_score", "success_ratio", "no_swap_ratio", "avg_output_fps",
                 "p95_output_fps", "known_sessions", "advertised_gpu_hours")
VALUE_GROUP = "orchestrator_address,gpu_id"


def shown_rows(driver, element_id: str, keys: list[str], columns) -> list[tuple]:
    return sorted((tuple(r[k] for k in keys), *(number(r[c]) for c in columns)) for r in table(driver, element_id))


def api_rows(rows: list[dict], keys: list[str], columns) -> list[tuple]:
    return sorted((tuple(r[k] or "" for k in keys), *(r[c] for c in columns)) for r in rows)


def assert_ingest_equals_api(driver, site: Site, span: dict, granularity: str, filters: dict) -> None:
    total = site.rows("/v1/ingest/quality", {**span, "granularity": "total", "group_by": "", **filters})
    t = total[0] if total else {}
    for element_id, column in INGEST_TOTALS:
        assert value(driver, element_id) == t.get(column, 0 if column == "ingest_samples" else None), (
            element_id, filters)
    series = site.rows("/v1/ingest/quality", {**span, "granularity": granularity, "group_by": "", **filters})
    drawn = {tr["name"]: tr for tr in chart(driver, "ingest-chart") + chart(driver, "quality-chart")}
    if not any(r["ingest_samples"] for r in series):
        assert not drawn, filters
        return
    x = [r["window_start"] for r in series]
    for name, column in (("ingest Mbps", "ingest_mbps"), ("packet loss %", "packet_loss_pct")):
        assert drawn[name]["x"] == x and drawn[name]["y"] == [r[column] for r in series], (name, filters)
    if any(r["conn_quality_good_ratio"] is not None for r in series):
        for name in ("good", "bad", "other"):
            assert drawn[name]["x"] == x, name
            assert drawn[name]["y"] == [r[f"conn_quality_{name}_ratio"] for r in series], (name, filters)
    else:
        assert "good" not in drawn


def assert_supply_equals_api(driver, site: Site, span: dict, filters: dict) -> None:
    supply = site.rows("/v1/supply/demand", {**span, "granularity": "total", "group_by": "model_id", **filters})
    assert shown_rows(driver, "supply-table", ["model_id"], SUPPLY_COLUMNS) == api_rows(
        supply, ["model_id"], SUPPLY_COLUMNS), ("supply-table", filters)
    offered = [r["model_id"] for r in supply if r["advertised_gpu_hours"] > 0]
    picked = driver.find_element(By.ID, "value-model").get_attribute("value")
    if not offered:
        assert picked == "" and table(driver, "value-table") == []
        return
    assert decode(picked) in offered, (picked, offered)
    gpus = site.rows("/v1/gpu/price-performance", {**span, "granularity": "total", "group_by": VALUE_GROUP,
                                                   **filters, "model_id": decode(picked)})
    if driver.find_element(By.ID, "value-offered").is_selected():
        gpus = [r for r in gpus if r["advertised_gpu_hours"] > 0]
    keys = VALUE_GROUP.split(",")
    assert shown_rows(driver, "value-table", keys, VALUE_COLUMNS) == api_rows(gpus, keys, VALUE_COLUMNS), (
        "value-table", picked, filters)

def assert_page_equals_api(driver, site: Site, filters: dict | None = None, fps: dict | None = None) -> None:
    """Every number on the page equals a direct API request with the page's window and filters."""
    filters = filters or {}
    win = shown_window(driver)
    span = {"start": win["start"], "end": win["end"]}
    demand_filters = {k: v for k, v in filters.items() if k in ("gateway", "region", "pipeline", "model_id")}
    gpu_filters = {k: v for k, v in filters.items() if k in ("region", "pipeline", "model_id")}

    total = site.rows("/v1/network/demand", {**span, "granularity": "total", "group_by": "", **demand_filters})
    t = total[0] if total else {}
    for element_id, column in (("kpi-sessions", "total_sessions"), ("kpi-minutes", "total_inference_minutes"),
                               ("kpi-fees", "fee_payment_eth"), ("kpi-success", "success_ratio"),
                               ("kpi-known", "known_sessions")):
        expected = t.get(column, 0 if column != "success_ratio" else None)
        assert value(driver, element_id) == expected, (element_id, column, filters)

    series = site.rows("/v1/network/demand", {**span, "granularity": win["granularity"], "group_by": "",
                                              **demand_filters})
    traces = {tr["name"]: tr for tr in chart(driver, "outcomes-chart") + chart(driver, "demand-chart")}
    if series:
        for name, column in (("success", "startup_success_sessions"), ("excused", "excused_sessions"),
                             ("unexcused", "unexcused_sessions"), ("success ratio", "success_ratio"),
                             ("sessions", "total_sessions"), ("inference minutes", "total_inference_minutes"),
                             ("expected fees (ETH)", "fee_payment_eth")):
            assert traces[name]["x"] == [r["window_start"] for r in series], name
            assert traces[name]["y"] == [r[column] for r in series], (name, filters)
    else:
        assert not traces

    fps_params = {**span, "granularity": win["granularity"], "group_by": "", **gpu_filters, **(fps or {})}
    fps_rows = site.rows("/v1/gpu/metrics", fps_params)
    drawn = {tr["name"]: tr for tr in chart(driver, "fps-chart")}
    if any(r["status_samples"] for r in fps_rows):
        assert drawn["average"]["y"] == [r["avg_output_fps"] for r in fps_rows]
        assert drawn["p95"]["y"] == [r["p95_output_fps"] for r in fps_rows]
        assert drawn["p95"]["x"] == [r["window_start"] for r in fps_rows]
    else:
        assert not drawn

    group = driver.find_element(By.ID, "sla-group").get_attribute("value")
    minimum = float(driver.find_element(By.ID, "sla-min").get_attribute("value") or 0)
    sla = site.rows("/v1/sla/compliance", {**span, "granularity": "total", "group_by": group, **gpu_filters})
    columns = ["known_sessions", "success_ratio", "no_swap_ratio", "sla_score"]
    keys = group.split(",")
    expected_rows = sorted(
        (tuple(r[k] or "" for k in keys), *(r[c] for c in columns)) for r in sla if r["known_sessions"] >= minimum)
    got = sorted((tuple(r[k] for k in keys), *(number(r[c]) for c in columns)) for r in sla_table(driver))
    assert got == expected_rows, filters

    assert_ingest_equals_api(driver, site, span, win["granularity"], demand_filters)  # demand's grain
    assert_supply_equals_api(driver, site, span, {k: v for k, v in filters.items() if k == "model_id"})


# ------------------------------------------------------------------ tests

def test_without_a_token_the_page_asks_for_one_and_works_with_it(browser, site):
    open_page(browser, site, token=None)
    message = browser.find_element(By.ID, "message").text
    assert "needs a token" in message and browser.find_element(By.ID, "token-box").get_attribute("open")
    entries = console_errors(browser)
    assert all("401" in e["message"] for e in entries), entries  # the refused requests, nothing else
    assert last_run(browser)["text"] == "Last run: needs the API token"
    assert last_run(browser)["state"] == "unknown"
    before = renders(browser)
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#token-form button").click()
    wait_render(browser, before)
    assert browser.execute_script("return localStorage.getItem('livepeerApiToken')") == TOKEN
    assert not browser.find_element(By.ID, "message").is_displayed()
    assert last_run(browser)["state"] == "ok"


def test_page_loads_without_console_errors_and_every_panel_has_data(browser, site):
    open_page(browser, site)
    assert console_errors(browser) == []
    for element_id in ("outcomes-chart", "demand-chart", "fps-chart"):
        element = browser.find_element(By.ID, element_id)
        assert int(element.get_attribute("data-buckets")) > 1, element_id
        assert element.find_elements(By.CSS_SELECTOR, "svg.main-svg"), f"{element_id}: nothing drawn"
    assert value(browser, "kpi-sessions") > 0
    assert sla_table(browser), "the SLA table is empty"
    assert table(browser, "supply-table"), "the supply table is empty"
    assert table(browser, "value-table"), "no best value GPU"
    dq = site.api("/v1/data-quality", {"limit": 8})
    assert value(browser, "dq-delivered_lines") == dq["lines"]["delivered_lines"] > 0
    assert value(browser, "dq-quarantined_lines") == dq["lines"]["quarantined_lines"]
    reasons = browser.execute_script(
        "return [...document.querySelectorAll('#dq-reasons tr[data-reason]')]"
        ".map(tr => [tr.dataset.reason, Number(tr.dataset.value)])")
    assert reasons == [[r["quarantine_reason"], r["lines"]] for r in dq["quarantined_by_reason"]]
    assert value(browser, "dq-errors-count") == dq["unclassified_errors"]["messages"]
    assert value(browser, "dq-subtypes-count") == dq["unmapped_trace_subtypes"]["subtypes"]
    listed = browser.find_elements(By.CSS_SELECTOR, "#dq-errors li[data-value]")
    assert [int(li.get_attribute("data-value")) for li in listed] == [
        r["event_count"] for r in dq["unclassified_errors"]["top"]]
    # freshness: the newest window_start of /healthz, flagged stale past 2 hours (the fixtures are old)
    health = site.server.json("/healthz")
    freshness = browser.find_element(By.ID, "freshness")
    newest = health["newest_window_start"]
    assert newest.replace("T", " ")[:16] in freshness.text
    stale = health["age_seconds"] > STALE_AFTER_S
    assert freshness.get_attribute("data-state") == ("stale" if stale else "fresh")
    assert ("Stale" in freshness.text) == stale


def test_last_24_hours_is_the_apis_default_window_and_numbers_equal_the_api(browser, site):
    open_page(browser, site)
    health = site.server.json("/healthz")
    win = shown_window(browser)
    end = dt.datetime.fromisoformat(health["newest_window_start"][:-1]) + dt.timedelta(hours=1)
    assert win == {"start": (end - dt.timedelta(days=1)).isoformat() + "Z", "end": end.isoformat() + "Z",
                   "granularity": "hour"}
    default = site.api("/v1/network/demand", {"granularity": "total", "group_by": ""})
    assert (default["start"], default["end"]) == (win["start"], win["end"])
    assert_page_equals_api(browser, site)
    assert console_errors(browser) == []


def test_filters_and_the_window_selector_change_what_is_shown(browser, site):
    open_page(browser, site)
    all_sessions = value(browser, "kpi-sessions")
    all_sla = sla_table(browser)
    # a region: fewer sessions (or the same when there is one region), numbers still equal the API
    regions = options(browser, "filter-region")
    assert regions, "no region to filter on"
    changed = False
    for region in regions:
        select(browser, "filter-region", region)
        assert_page_equals_api(browser, site, {"region": decode(region)})
        changed |= value(browser, "kpi-sessions") != all_sessions or sla_table(browser) != all_sla
        if changed:
            break
    assert changed or len(regions) == 1, "no region filter changed anything"
    select(browser, "filter-region", "")
    # a gateway: demand only (the GPU and SLA views have no gateway)
    gateways = options(browser, "filter-gateway")
    select(browser, "filter-gateway", gateways[-1])
    assert_page_equals_api(browser, site, {"gateway": decode(gateways[-1])})
    select(browser, "filter-gateway", "")
    # pipeline and model
    pipelines, models = options(browser, "filter-pipeline"), options(browser, "filter-model")
    select(browser, "filter-model", models[0])
    select(browser, "filter-pipeline", pipelines[0])
    assert_page_equals_api(browser, site, {"pipeline": decode(pipelines[0]), "model_id": decode(models[0])})
    select(browser, "filter-pipeline", "")
    select(browser, "filter-model", "")
    assert value(browser, "kpi-sessions") == all_sessions

    # the FPS selector: one GPU, then one orchestrator
    for dimension in ("gpu_id", "orchestrator_address"):
        select(browser, "fps-dimension", dimension)
        choices = options(browser, "fps-value")
        assert choices, f"no {dimension} with status samples"
        select(browser, "fps-value", choices[0])
        assert_page_equals_api(browser, site, fps={dimension: decode(choices[0])})
        select(browser, "fps-value", "")

    # 7 days: daily buckets over the 7 days of data ending at the newest hour
    one_day = shown_window(browser)
    select(browser, "window-select", "7d")
    week = shown_window(browser)
    assert week["granularity"] == "day" and week["end"] == one_day["end"]
    assert (dt.datetime.fromisoformat(week["end"][:-1]) - dt.datetime.fromisoformat(week["start"][:-1])
            == dt.timedelta(days=7))
    assert value(browser, "kpi-sessions") >= all_sessions
    assert_page_equals_api(browser, site)

    # custom: the 6 hours before the end of data, hourly
    Select(browser.find_element(By.ID, "window-select")).select_by_value("custom")
    end = dt.datetime.fromisoformat(one_day["end"][:-1])
    start = end - dt.timedelta(hours=6)
    browser.execute_script("document.getElementById('custom-start').value = arguments[0];"
                           "document.getElementById('custom-end').value = arguments[1];",
                           start.isoformat()[:16], end.isoformat()[:16])
    before = renders(browser)
    browser.find_element(By.ID, "custom-apply").click()
    wait_render(browser, before)
    assert shown_window(browser) == {"start": start.isoformat() + "Z", "end": end.isoformat() + "Z",
                                     "granularity": "hour"}
    assert value(browser, "kpi-sessions") <= all_sessions
    assert_page_equals_api(browser, site)
    assert console_errors(browser) == []


def test_sla_table_sorts_and_filters_on_minimum_sessions(browser, site):
    open_page(browser, site)
    before = renders(browser)
    rows = sla_table(browser)
    # sort by SLA score, highest first, rows without a score last; a second click reverses
    header = browser.find_element(By.CSS_SELECTOR, "#sla-table th[data-key='sla_score']")
    header.click()
    scores = [number(r["sla_score"]) for r in sla_table(browser)]
    known = [s for s in scores if s is not None]
    assert known == sorted(known, reverse=True) and scores[: len(known)] == known
    header.click()
    scores = [number(r["sla_score"]) for r in sla_table(browser)]
    known = [s for s in scores if s is not None]
    assert known == sorted(known) and scores[: len(known)] == known
    # a minimum of sessions: only rows with at least that many known sessions (client side, no new request)
    sessions = sorted({int(float(r["known_sessions"])) for r in rows})
    minimum = sessions[-1] if len(sessions) == 1 else sessions[1]
    field = browser.find_element(By.ID, "sla-min")
    field.clear()
    field.send_keys(str(minimum))
    filtered = sla_table(browser)
    assert filtered and all(float(r["known_sessions"]) >= minimum for r in filtered)
    expected = sum(1 for r in rows if float(r["known_sessions"]) >= minimum)
    assert len(filtered) == expected and (expected < len(rows) or len(sessions) == 1)
    assert renders(browser) == before
    field.clear()
    field.send_keys("1000000000")
    assert sla_table(browser) == [] and "lower the minimum" in browser.find_element(By.ID, "sla-note").text
    field.clear()
    field.send_keys("1")
    # per orchestrator: one row per orchestrator, equal to the API
    select(browser, "sla-group", "orchestrator_address")
    assert_page_equals_api(browser, site)


def test_an_empty_window_is_explained_not_drawn(browser, site):
    open_page(browser, site)
    Select(browser.find_element(By.ID, "window-select")).select_by_value("custom")
    browser.execute_script("document.getElementById('custom-start').value = '2021-01-01T00:00';"
                           "document.getElementById('custom-end').value = '2021-01-02T00:00';")
    before = renders(browser)
    browser.find_element(By.ID, "custom-apply").click()
    wait_render(browser, before)
    for element_id in ("outcomes-chart", "demand-chart", "fps-chart"):
        element = browser.find_element(By.ID, element_id)
        assert element.get_attribute("data-buckets") == "0"
        assert not element.find_elements(By.CSS_SELECTOR, "svg.main-svg"), element_id
        assert "No " in element.find_element(By.CSS_SELECTOR, "p.empty").text
    assert value(browser, "kpi-sessions") == 0 and value(browser, "kpi-success") is None
    assert sla_table(browser) == [] and "No SLA rows" in browser.find_element(By.ID, "sla-note").text
    for element_id in ("ingest-chart", "quality-chart"):
        element = browser.find_element(By.ID, element_id)
        assert element.get_attribute("data-buckets") == "0"
        assert not element.find_elements(By.CSS_SELECTOR, "svg.main-svg"), element_id
        assert "No ingest metrics" in element.find_element(By.CSS_SELECTOR, "p.empty").text
    assert value(browser, "ingest-samples") == 0 and value(browser, "ingest-mbps") is None
    assert table(browser, "supply-table") == []
    assert "No supply or demand" in browser.find_element(By.ID, "supply-note").text
    assert browser.find_element(By.ID, "value-model").get_attribute("value") == ""
    assert table(browser, "value-table") == []
    assert "No GPU was on offer" in browser.find_element(By.ID, "value-note").text
    assert_page_equals_api(browser, site)
    assert console_errors(browser) == []


def test_ingest_panel_equals_the_api_and_follows_the_gateway(browser, site):
    """Over the ingest view's own last 24 hours (the real events' ingest metrics are older than their
    newest data): rate, loss, jitter and the connection-quality split are /v1/ingest/quality's."""
    open_page(browser, site)
    own = site.api("/v1/ingest/quality", {"granularity": "total", "group_by": ""})
    set_custom_window(browser, own["start"], own["end"])
    for element_id in ("ingest-chart", "quality-chart"):
        element = browser.find_element(By.ID, element_id)
        assert int(element.get_attribute("data-buckets")) >= 1, element_id
        assert element.find_elements(By.CSS_SELECTOR, "svg.main-svg"), f"{element_id}: nothing drawn"
    samples = value(browser, "ingest-samples")
    assert samples == own["rows"][0]["ingest_samples"] > 0
    assert_page_equals_api(browser, site)
    if site.name == "seed":
        # A (13 samples) and B (12) labelled good; M: good, good, bad, no track list, bad, unknown
        assert samples == 13 + 12 + 6
        assert value(browser, "ingest-good") == pytest.approx(27 / 30)
        assert value(browser, "ingest-bad") == pytest.approx(2 / 30)
        assert value(browser, "ingest-other") == pytest.approx(1 / 30)
        select(browser, "filter-gateway", "=gw-fixture-sea")  # M alone
        assert value(browser, "ingest-samples") == 6
        assert [value(browser, f"ingest-{label}") for label in ("good", "bad", "other")] == pytest.approx(
            [0.4, 0.4, 0.2])
        assert_page_equals_api(browser, site, {"gateway": "gw-fixture-sea"})
        select(browser, "filter-gateway", "=gw-fixture-fra")  # A and B: 480,000 bytes every 5 s
        assert value(browser, "ingest-mbps") == pytest.approx(480_000 * 8 / 5 / 1e6)
        rate = {tr["name"]: tr["y"] for tr in chart(browser, "ingest-chart")}["ingest Mbps"]
        assert rate and rate == pytest.approx([0.768] * len(rate))
        assert_page_equals_api(browser, site, {"gateway": "gw-fixture-fra"})
    else:  # some gateway changes what the panel shows, or there is one gateway
        gateways = options(browser, "filter-gateway")
        changed = False
        for gateway in gateways:
            select(browser, "filter-gateway", gateway)
            assert_page_equals_api(browser, site, {"gateway": decode(gateway)})
            changed = value(browser, "ingest-samples") != samples
            if changed:
                break
        assert changed or len(gateways) == 1, "no gateway filter changed the ingest panel"
    assert console_errors(browser) == []


def test_supply_panel_equals_the_api_and_its_tables_sort(browser, site):
    open_page(browser, site)
    win = shown_window(browser)
    supply = site.rows("/v1/supply/demand", {"start": win["start"], "end": win["end"], "granularity": "total",
                                             "group_by": "model_id"})
    offered = sorted((r for r in supply if r["advertised_gpu_hours"] > 0),
                     key=lambda r: (-r["advertised_gpu_hours"], r["model_id"]))
    assert offered, "no model on offer in the window"
    # by default, the GPUs of the model with the most GPU-hours on offer
    assert browser.find_element(By.ID, "value-model").get_attribute("value") == "=" + offered[0]["model_id"]
    assert_page_equals_api(browser, site)
    # a click on another model's row shows its GPUs
    if len(offered) > 1:
        click(browser, f"#supply-table tr[data-model='={offered[1]['model_id']}']")
        assert browser.find_element(By.ID, "value-model").get_attribute("value") == "=" + offered[1]["model_id"]
        assert_page_equals_api(browser, site)

    def column(table_id: str, key: str) -> list:
        return [number(r[key]) for r in table(browser, table_id)]

    def assert_sorted(values: list, descending: bool) -> None:
        known = [v for v in values if v is not None]
        assert known == sorted(known, reverse=descending) and values[: len(known)] == known, values

    before = renders(browser)
    # best value: cheapest first; a click on SLA sorts highest first, again lowest first; no value last
    assert_sorted(column("value-table", "avg_price_wei_per_pixel"), False)
    header = browser.find_element(By.CSS_SELECTOR, "#value-table th[data-key='sla_score']")
    header.click()
    assert_sorted(column("value-table", "sla_score"), True)
    header.click()
    assert_sorted(column("value-table", "sla_score"), False)
    # per model: most GPUs first; a click on the price sorts highest first
    assert_sorted(column("supply-table", "distinct_gpus"), True)
    browser.find_element(By.CSS_SELECTOR, "#supply-table th[data-key='avg_price_wei_per_pixel']").click()
    assert_sorted(column("supply-table", "avg_price_wei_per_pixel"), True)
    # "on offer only" unticked: every GPU the API has for the model (client side, no new request)
    shown = len(table(browser, "value-table"))
    browser.find_element(By.ID, "value-offered").click()
    assert len(table(browser, "value-table")) >= shown
    assert renders(browser) == before
    assert_page_equals_api(browser, site)
    browser.find_element(By.ID, "value-offered").click()
    assert console_errors(browser) == []


def test_supply_panel_shows_scenario_p_and_follows_the_model_filter(browser, site):
    """Scenario P (livepeer_devtools/fixture_events.py): orchestrator O10 offers streamdiffusion-sdxl on
    GPUs 901 and 902 (1600 wei/pixel at 10:05, 1800 at 10:35; 1 then 2 of its 3 slots in use) and
    streamdiffusion-sdxl-v2v on GPU 903 (2400 wei per 2 pixels); at 11:05 GPU 902 is gone."""
    if site.name != "seed":
        pytest.skip("scenario P is in the fixture seed")
    o10 = "0xa0a0b0b0c0c0d0d0e0e0f0f0a0a0b0b0c0c0d010"
    sdxl, v2v = "streamdiffusion-sdxl", "streamdiffusion-sdxl-v2v"
    open_page(browser, site)
    set_custom_window(browser, "2026-03-02T10:00", "2026-03-02T11:00")
    rows = {r["model_id"]: {k: number(v) for k, v in r.items() if k != "model_id"}
            for r in table(browser, "supply-table")}
    assert rows[sdxl]["distinct_gpus"] == 2 and rows[sdxl]["distinct_orchestrators"] == 1
    assert rows[sdxl]["advertised_gpu_hours"] == 2
    assert rows[sdxl]["avg_price_wei_per_pixel"] == pytest.approx(1700)
    assert rows[sdxl]["utilisation_ratio"] == pytest.approx(0.75)  # 1.5 of 2 slots in use on average
    # V2V: GPUs 201, 202 (O2), 301 (O3), 903 (O10); scenario C found no orchestrator with capacity
    assert rows[v2v]["distinct_gpus"] == 4 and rows[v2v]["missing_capacity_count"] == 1
    assert_page_equals_api(browser, site)
    click(browser, f"#supply-table tr[data-model='={sdxl}']")
    gpus = {r["gpu_id"]: r for r in table(browser, "value-table")}
    assert set(gpus) == {"GPU-00000000-0000-4000-8000-000000000901", "GPU-00000000-0000-4000-8000-000000000902"}
    assert all(r["orchestrator_address"] == o10 and number(r["avg_price_wei_per_pixel"]) == pytest.approx(1700)
               for r in gpus.values())
    # two hours: 902 is gone at 11:00, when 901 still asks 1800: 902 is the cheaper on average
    set_custom_window(browser, "2026-03-02T10:00", "2026-03-02T12:00")
    assert browser.find_element(By.ID, "value-model").get_attribute("value") == "=" + sdxl  # kept
    sdxl_row = next(r for r in table(browser, "supply-table") if r["model_id"] == sdxl)
    assert number(sdxl_row["advertised_gpu_hours"]) == 3 and number(sdxl_row["distinct_gpus"]) == 2
    assert number(sdxl_row["avg_price_wei_per_pixel"]) == pytest.approx((2 * 1600 + 3 * 1800) / 5)
    value_rows = table(browser, "value-table")
    assert [(r["gpu_id"][-3:], number(r["avg_price_wei_per_pixel"])) for r in value_rows] == [
        ("902", pytest.approx(1700)), ("901", pytest.approx((1600 + 1800 + 1800) / 3))]
    assert_page_equals_api(browser, site)
    # the model filter: V2V alone, its cheapest GPU first: 903 at 2400 / 2 wei per pixel
    select(browser, "filter-model", "=" + v2v)
    assert [r["model_id"] for r in table(browser, "supply-table")] == [v2v]
    assert browser.find_element(By.ID, "value-model").get_attribute("value") == "=" + v2v
    first = table(browser, "value-table")[0]
    assert first["gpu_id"].endswith("903") and first["orchestrator_address"] == o10
    assert number(first["avg_price_wei_per_pixel"]) == pytest.approx(1200)
    assert_page_equals_api(browser, site, {"model_id": v2v})
    assert console_errors(browser) == []


def test_screenshots_desktop_and_narrow(browser, site):
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        for label, (width, height) in (("desktop", (1440, 900)), ("narrow", (414, 896))):
            browser.set_window_size(width, height)
            open_page(browser, site)
            # nothing wider than the screen (no sideways scrolling), every panel on the page
            inner = browser.execute_script("return window.innerWidth")
            assert browser.execute_script("return document.documentElement.scrollWidth") <= inner, label
            for panel in ("panel-demand", "panel-fps", "panel-sla", "panel-dq", "panel-ingest", "panel-supply"):
                assert browser.find_element(By.ID, panel).is_displayed()
            assert browser.find_element(By.ID, "last-run").is_displayed()
            path = SCREENSHOTS / f"dashboard-{site.name}-{label}.png"
            if label == "narrow":  # the whole page, one column
                full = browser.execute_script("return document.documentElement.scrollHeight")
                browser.set_window_size(width, min(full + 140, 6000))
            assert browser.save_screenshot(str(path)), path
            assert path.stat().st_size > 10_000
            assert console_errors(browser) == []
    finally:
        browser.set_window_size(1440, 900)


def test_auto_refresh_reloads_every_panel_until_paused(browser, site):
    open_page(browser, site, refresh=True, query="?refresh=1")
    assert browser.find_element(By.ID, "refresh-every").text == "1"
    assert browser.find_element(By.ID, "refresh-state").get_attribute("data-state") == "on"
    first = renders(browser)
    # two reloads nobody asked for
    WebDriverWait(browser, 60, poll_frequency=0.1).until(lambda d: renders(d) >= first + 2)
    assert state(browser)[0] == "ready"
    assert_page_equals_api(browser, site)
    browser.find_element(By.ID, "auto-refresh").click()  # pause
    assert browser.find_element(By.ID, "refresh-state").get_attribute("data-state") == "paused"
    assert browser.execute_script("return localStorage.getItem('livepeerAutoRefresh')") == "off"
    WebDriverWait(browser, 60, poll_frequency=0.1).until(lambda d: state(d)[0] == "ready")
    paused_at = renders(browser)
    time.sleep(3)  # three periods: no reload while paused, however fast the machine
    assert renders(browser) == paused_at
    # the choice holds across a reload of the page
    browser.refresh()
    wait_render(browser, 0)
    assert not browser.find_element(By.ID, "auto-refresh").is_selected()
    assert console_errors(browser) == []


def test_the_bucket_still_filling_is_marked_partial(browser, site):
    open_page(browser, site)
    partial = "return partialBucket(arguments[0], Date.parse(arguments[1]), arguments[2])"
    newest = "2026-03-02T10:00:00Z"
    assert browser.execute_script(partial, newest, "2026-03-02T10:30:00Z", "hour") == {
        "start": "2026-03-02T10:00:00Z", "end": "2026-03-02T11:00:00Z"}
    assert browser.execute_script(partial, newest, "2026-03-02T11:00:00Z", "hour") is None
    assert browser.execute_script(partial, newest, "2026-03-02T23:59:00Z", "day") == {
        "start": "2026-03-02T00:00:00Z", "end": "2026-03-03T00:00:00Z"}
    assert browser.execute_script(partial, newest, "2026-03-03T00:00:00Z", "day") is None
    assert browser.execute_script(partial, newest, "2026-03-02T10:30:00Z", "total") is None
    # the fixtures' newest hour ended long ago: nothing is partial
    assert not browser.find_element(By.ID, "partial").is_displayed()
    # ... until the clock says that hour is now: the note and every chart mark it
    health = site.server.json("/healthz")
    browser.execute_script("const at = Date.parse(arguments[0]) + 30 * 60 * 1000; Date.now = () => at;",
                           health["newest_window_start"])
    before = renders(browser)
    Select(browser.find_element(By.ID, "window-select")).select_by_value("7d")
    wait_render(browser, before)
    before = renders(browser)
    Select(browser.find_element(By.ID, "window-select")).select_by_value("24h")
    wait_render(browser, before)
    note = browser.find_element(By.ID, "partial")
    assert note.is_displayed() and "still filling" in note.text, note.text
    assert note.get_attribute("data-start") == health["newest_window_start"]
    for element_id in ("outcomes-chart", "demand-chart", "fps-chart"):
        assert browser.find_element(By.ID, element_id).get_attribute("data-partial") == health["newest_window_start"]
    assert console_errors(browser) == []


# ------------------------------------------------------------------ the job's last run (/v1/runs)

def assert_last_run_equals_api(driver, runs: list[dict]) -> None:
    """The header shows the API's newest run: its state, its age (from finished_at, else started_at, by the
    clock of this machine, which is the browser's and the job's), and its details in the tooltip."""
    shown = last_run(driver)
    run = runs[0]
    assert (shown["run_state"], shown["run_id"]) == (run["state"], run["run_id"])
    assert shown["state"] == ("ok" if run["state"] in ("success", "nothing_new", "running") else "bad")
    since = run["finished_at"] or run["started_at"]
    assert (shown["started_at"], shown["finished_at"]) == (run["started_at"], run["finished_at"] or "")
    age = float(shown["age"])
    assert abs(age - (time.time() - epoch(since))) < 30, (age, since)  # read when the page last loaded
    assert shown["text"] == ("\u26a0 " if shown["state"] == "bad" else "") + (
        f"Last run: {run['state'].replace('_', ' ')}, {'' if run['finished_at'] else 'started '}{ago(age)} ago")
    assert f"Run started {utc(run['started_at'])}" in shown["title"]
    if run["duration_s"] is not None and run["duration_s"] < 120:
        assert f"took {run['duration_s']:.1f} s" in shown["title"]
    if run["lines_delivered"] is not None:
        assert f"{run['lines_delivered']:,} lines delivered, {run['lines_quarantined']:,} quarantined" in shown["title"]
    if run["sessions_recomputed"] is not None:
        assert f"{run['sessions_recomputed']:,} sessions recomputed" in shown["title"]


def test_the_last_run_shows_its_state_and_age(browser, site):
    open_page(browser, site)
    answer = site.api("/v1/runs", {"limit": 20})
    runs = answer["runs"]
    if site.name == "seed":  # the matrix built it with `make build`: one successful run
        assert [r["state"] for r in runs] == ["success"] and not answer["lock_held"]
        assert runs[0]["lines_delivered"] > 0 and runs[0]["finished_at"].endswith("Z")
    assert runs, "no run recorded"
    assert_last_run_equals_api(browser, runs)
    shown = last_run(browser)
    if runs[0]["state"] == "success" and not any(r["state"] == "killed" and not r["is_repaired"] for r in runs):
        assert shown["state"] == "ok" and shown["alert"] is None
        assert "\u26a0" not in shown["text"]
    assert browser.find_element(By.ID, "last-run").is_displayed()
    assert console_errors(browser) == []




def test_the_last_run_follows_the_job_killed_failed_repaired_and_none(browser, matrix, tmp_path, monkeypatch):
    """On a private copy of the seed (written to as the job writes its run history, run_history.RunHistory,
    holding the run lock), with the page reloading itself every second: the job holding the warehouse is a
    503 (the last run "unknown"); then a killed run, a failed one (the killed one still unrepaired), a
    success that repairs it, and a warehouse with no job_runs table ("no run recorded")."""
    env = matrix("duckdb", "seed").copy(tmp_path / "runs")
    monkeypatch.setenv("DBT_TARGET", "duckdb")
    monkeypatch.setenv("LIVEPEER_DUCKDB", env["LIVEPEER_DUCKDB"])
    own = Site("runs", env)

    def shows(predicate, what: str) -> dict:
        try:
            WebDriverWait(browser, 60, poll_frequency=0.1).until(lambda d: predicate(last_run(d)))
        except TimeoutException:
            pytest.fail(f"the page did not show {what}: {last_run(browser)}", pytrace=False)
        return last_run(browser)

    def runs() -> list[dict]:
        return own.api("/v1/runs", {"limit": 20})["runs"]

    try:
        open_page(browser, own, refresh=True, query="?refresh=1")
        assert last_run(browser)["run_state"] == "success"

        with as_the_job():  # a run holds the warehouse: every request is a 503, the last run is unknown
            shown = shows(lambda r: r["state"] == "unknown", "the job holding the warehouse")
            assert shown["text"] == "Last run: unknown (the API answered 503)" and "run lock" in shown["title"]
            WebDriverWait(browser, 30, poll_frequency=0.1).until(lambda d: state(d)[0] == "error")
            assert "503" in browser.find_element(By.ID, "message").text
            killed = run_history.RunHistory("fixtures")
            killed.start()  # ... and never finishes: the lock is free again, as after a kill

        shown = shows(lambda r: r["run_state"] == "killed", "the killed run")
        assert runs()[0]["run_id"] == killed.run_id == shown["run_id"]
        assert_last_run_equals_api(browser, runs())
        assert shown["state"] == "bad" and shown["text"].startswith("\u26a0 Last run: killed, started ")
        assert "Never finished (killed or crashed): not repaired yet" in shown["title"]
        assert shown["killed"] == "1" and shown["failed"] == "" and len(shown["alert"]) == 1
        assert "never finished (killed or crashed) and is not repaired yet" in shown["alert"][0]
        assert utc(runs()[0]["started_at"]) in shown["alert"][0]
        WebDriverWait(browser, 30, poll_frequency=0.1).until(lambda d: state(d)[0] == "ready")
        assert browser.find_element(By.ID, "run-alert").is_displayed()
        assert not browser.find_element(By.ID, "message").is_displayed()

        with as_the_job():
            failed = run_history.RunHistory("fixtures")
            failed.start()
            failed.finish("failed", {"nodes": 1.0}, 2)
        shown = shows(lambda r: r["run_state"] == "failed", "the failed run")
        assert_last_run_equals_api(browser, runs())
        assert shown["state"] == "bad" and shown["text"].startswith("\u26a0 Last run: failed, ")
        assert "2 dbt nodes failed" in shown["title"]
        assert shown["failed"] == failed.run_id and shown["killed"] == "1"  # a failure repairs nothing
        assert len(shown["alert"]) == 2 and "never finished" in shown["alert"][1]
        assert "The last finished run failed" in shown["alert"][0] and "2 dbt nodes failed" in shown["alert"][0]

        with as_the_job():
            repairing = run_history.RunHistory("fixtures")
            repairing.start()
            repairing.finish("success", {"nodes": 1.0}, 0)
        shown = shows(lambda r: r["run_id"] == repairing.run_id, "the repairing success")
        history = runs()
        assert [(r["state"], r["is_repaired"]) for r in history] == [
            ("success", False), ("failed", False), ("killed", True), ("success", False)]
        assert_last_run_equals_api(browser, history)
        assert shown["state"] == "ok" and shown["alert"] is None and shown["killed"] == "0"
        assert not browser.find_element(By.ID, "run-alert").is_displayed()

        with as_the_job():  # a warehouse from before the run history: no job_runs table
            con = duckdb.connect(env["LIVEPEER_DUCKDB"])
            try:
                con.execute("drop table job_runs")
            finally:
                con.close()
        shown = shows(lambda r: r["state"] == "none", "no run recorded")
        assert runs() == []
        assert shown["text"] == "Last run: no run recorded" and shown["run_state"] == "" and shown["alert"] is None
        WebDriverWait(browser, 30, poll_frequency=0.1).until(lambda d: state(d)[0] == "ready")
        # the only console errors: the requests refused while the job held the warehouse
        errors = console_errors(browser)
        assert all("503" in e["message"] for e in errors), errors
    finally:
        browser.get("about:blank")  # no more reloads of a stopped server
        own.server.stop()
