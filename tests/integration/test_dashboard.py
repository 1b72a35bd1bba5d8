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
request with the same window and filters; the window selector, the filters,
the FPS selector and the SLA controls change what is shown; an empty window
is explained, not drawn; the page reloads itself on a timer until paused, and
marks the bucket still filling as partial. Screenshots at 1440x900 and 414x896 are written to
target/dashboard-<warehouse>-{desktop,narrow}.png for review.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest

from _support import REPO_ROOT, Server

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


def sla_table(driver) -> list[dict]:
    return driver.execute_script("""
        return [...document.querySelectorAll('#sla-table tbody tr')].map(tr => Object.fromEntries(
            [...tr.cells].map(td => [td.dataset.key, td.dataset.value])));""")


def number(raw):
    return None if raw in (None, "") else float(raw)


# ------------------------------------------------------------------ what the page must equal

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


# ------------------------------------------------------------------ tests

def test_without_a_token_the_page_asks_for_one_and_works_with_it(browser, site):
    open_page(browser, site, token=None)
    message = browser.find_element(By.ID, "message").text
    assert "needs a token" in message and browser.find_element(By.ID, "token-box").get_attribute("open")
    entries = console_errors(browser)
    assert all("401" in e["message"] for e in entries), entries  # the refused requests, nothing else
    before = renders(browser)
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#token-form button").click()
    wait_render(browser, before)
    assert browser.execute_script("return localStorage.getItem('livepeerApiToken')") == TOKEN
    assert not browser.find_element(By.ID, "message").is_displayed()


def test_page_loads_without_console_errors_and_every_panel_has_data(browser, site):
    open_page(browser, site)
    assert console_errors(browser) == []
    for element_id in ("outcomes-chart", "demand-chart", "fps-chart"):
        element = browser.find_element(By.ID, element_id)
        assert int(element.get_attribute("data-buckets")) > 1, element_id
        assert element.find_elements(By.CSS_SELECTOR, "svg.main-svg"), f"{element_id}: nothing drawn"
    assert value(browser, "kpi-sessions") > 0
    assert sla_table(browser), "the SLA table is empty"
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
            for panel in ("panel-demand", "panel-fps", "panel-sla", "panel-dq"):
                assert browser.find_element(By.ID, panel).is_displayed()
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
