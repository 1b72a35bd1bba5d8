"""The project's alerting rules in a real Prometheus, scraping a real read API over a warehouse that the
user's own command (`make build`) makes stale, failing and fresh again. docs/monitoring.md.

Debian's `prometheus` (skipped with a message when it is missing) runs on loopback with a temporary
configuration and data folder, scraping /metrics of `python -m livepeer_analytics.api` (a private copy
of the fixture seed warehouse, DuckDB) every second and evaluating the rules every second; it is
always terminated. The rules are a temporary copy of monitoring/prometheus/alerts.yml in which every
`for:`, and nothing else, is shortened to FOR_S seconds (the shipped ones are minutes): every
expression, threshold, range window and label is the shipped one. Then, with bounded polls of
Prometheus's /api/v1/alerts (a failure shows the active alerts, the series and Prometheus's log):

1. the seed's events are from 2026-03-02: LivepeerEventsStale fires;
2. the job fails (`DBT_PROJECT_DIR=<copy> make build` on the same warehouse, the copy being
   _histories.broken_project, whose int_session_health reads a missing table) as many times as
   LivepeerRunsFailing counts: after each run the API's /metrics shows it, and LivepeerRunsFailing
   fires. LivepeerEventsStale fires on, with the same start: the builds, scraped while they held
   the warehouse, did not reset it;
3. a successful build of events generated up to the last half hour (livepeer_devtools.generate,
   `LIVEPEER_EVENTS=<folder> make build`, on the same warehouse while the API serves it):
   LivepeerEventsStale and LivepeerRunsFailing both resolve, with the event age present and under
   the threshold.

The failing builds come before the fresh one: LivepeerRunsFailing holds back for 15 minutes after a
run succeeded (its `unless` range, kept as shipped), so after a success it could only fire a quarter
of an hour later. In this order the success also shows that a good run resolves it.

Slow tier (four builds and Prometheus, about a minute): `make test`, not `make check`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from livepeer_devtools.generate import generate

from _histories import broken_project
from _support import REPO_ROOT, Server, engine_env, free_port, make, output_of, stop_process

pytestmark = pytest.mark.slow

ALERTS = REPO_ROOT / "monitoring" / "prometheus" / "alerts.yml"
JOB = "livepeer-api"  # the scrape job LivepeerApiDown watches (monitoring/prometheus/prometheus.yml)
FOR_S = 3  # every rule's `for`, shortened
INTERVAL_S = 1  # scrape and evaluation interval
# How long an alert may take to fire or resolve once its condition holds: its `for`, then a few
# scrapes and evaluations, and a read of the warehouse by /metrics.
SETTLE_S = FOR_S + 30
LOG_TAIL_CHARS = 6000
RUNS = 'livepeer_runs_total{{outcome="{}"}}'
AGE = "livepeer_newest_event_age_seconds"
STALE_AFTER_S = 2 * 3600  # LivepeerEventsStale's threshold


def shortened_rules(dest: Path) -> Path:
    """alerts.yml with every `for:` set to FOR_S seconds, the rest of the text unchanged."""
    text = ALERTS.read_text()
    alerts = [rule for group in yaml.safe_load(text)["groups"] for rule in group["rules"] if "alert" in rule]
    shortened, count = re.subn(r"^([ \t]+)for: \S+[ \t]*$", rf"\g<1>for: {FOR_S}s", text, flags=re.MULTILINE)
    assert count == len(alerts), f"{count} `for:` lines for {len(alerts)} alerts in {ALERTS}"
    groups = yaml.safe_load(shortened)["groups"]
    assert [[{k: v for k, v in rule.items() if k != "for"} for rule in group["rules"]] for group in groups] == [
        [{k: v for k, v in rule.items() if k != "for"} for rule in group["rules"]]
        for group in yaml.safe_load(text)["groups"]
    ], "shortening the `for`s changed something else"
    dest.write_text(shortened)
    return dest


def failed_runs_needed() -> int:
    """How many failed runs LivepeerRunsFailing counts before it fires (its `>= N`)."""
    rules = [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]
    expr = next(rule["expr"] for rule in rules if rule.get("alert") == "LivepeerRunsFailing")
    found = re.search(r'livepeer_runs_total\{outcome="failed"\}\[[^]]+\]\)\s*>=\s*(\d+)', expr)
    assert found, f"cannot read the number of failed runs from LivepeerRunsFailing: {expr}"
    return int(found.group(1))


def prometheus_binary() -> str:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("prometheus not found: apt-get install prometheus")
    return binary


class Prometheus:
    """Debian's prometheus on a free loopback port, scraping `target` (host:port), with `rules`."""

    def __init__(self, folder: Path, target: str, rules: Path) -> None:
        binary = prometheus_binary()
        self.port = free_port()
        self.log_path = folder / "prometheus.log"
        config = folder / "prometheus.yml"
        config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": f"{INTERVAL_S}s", "scrape_timeout": f"{INTERVAL_S}s",
                       "evaluation_interval": f"{INTERVAL_S}s"},
            "rule_files": [str(rules)],
            "scrape_configs": [{"job_name": JOB, "metrics_path": "/metrics", "scheme": "http",
                                "static_configs": [{"targets": [target]}]}],
        }))
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={folder / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=info"],
            cwd=folder, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            self._until_ready()
        except BaseException:
            self.stop()
            raise

    def _until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.fail(f"prometheus exited (status {self.proc.returncode})")
            try:
                if self._get("/-/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.fail("prometheus was not ready within 60 s")

    def _get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def _api(self, path: str, **params: str):
        status, body = self._get(f"{path}?{urllib.parse.urlencode(params)}" if params else path)
        if status != 200:
            self.fail(f"{path} {params}: {status} {body}")
        return json.loads(body)["data"]

    def alerts(self) -> dict[str, tuple[str, str]]:
        """Alert name -> (state: pending or firing, since when it is active) of every active alert."""
        return {alert["labels"]["alertname"]: (alert["state"], alert["activeAt"])
                for alert in self._api("/api/v1/alerts")["alerts"]}

    def value(self, expr: str) -> float | None:
        """The value of a one-series expression now (None when it has no series)."""
        result = self._api("/api/v1/query", query=expr)["result"]
        assert len(result) <= 1, f"{expr}: {result}"
        return float(result[0]["value"][1]) if result else None

    def target_health(self) -> str:
        return "; ".join(f"{t['scrapeUrl']} {t['health']} {t['lastError']}".strip()
                         for t in self._api("/api/v1/targets")["activeTargets"])

    def wait(self, what: str, done, timeout: float = SETTLE_S) -> dict[str, tuple[str, str]]:
        """Poll the alerts until done(alerts) holds; fail after `timeout` s with the alerts and the log."""
        deadline = time.monotonic() + timeout
        while True:
            alerts = self.alerts()
            if done(alerts):
                return alerts
            if time.monotonic() > deadline:
                series = {expr: self.value(expr) for expr in (AGE, *(RUNS.format(o) for o in ("success", "failed")))}
                self.fail(f"{what}: not within {timeout:.0f} s; active alerts {alerts}; series now {series}; "
                          f"targets: {self.target_health()}")
            time.sleep(0.5)

    def log_tail(self) -> str:
        self.log.flush()
        text = self.log_path.read_text(errors="replace")
        return text if len(text) <= LOG_TAIL_CHARS else "...\n" + text[-LOG_TAIL_CHARS:]

    def fail(self, message: str):
        tail = self.log_tail()
        self.stop()
        pytest.fail(f"{message}\n\nprometheus's log:\n{tail}", pytrace=False)

    def stop(self) -> None:
        stop_process(self.proc)
        self.log.close()


def fresh_events(folder: Path) -> Path:
    """A day of generated events ending half an hour ago (sessions spill a little past it)."""
    end = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    counts = generate(days=1, events_per_day=3000, seed=22, out_dir=folder, start=end - dt.timedelta(days=1))
    assert counts, counts
    return folder


@pytest.fixture
def served(matrix, tmp_path):
    """A private copy of the seed warehouse (DuckDB) and the API serving it."""
    prometheus_binary()  # skip before building anything
    env = matrix("duckdb", "seed").copy(tmp_path / "warehouse")
    server = Server(env)
    yield env, server
    server.stop()


@pytest.fixture
def prometheus(served, tmp_path):
    _, server = served
    folder = tmp_path / "prometheus"
    folder.mkdir()
    instance = Prometheus(folder, f"127.0.0.1:{server.port}", shortened_rules(folder / "alerts.yml"))
    yield instance
    instance.stop()


def api_metrics(server) -> dict[str, float]:
    """The API's own /metrics: sample (name with labels, as exposed) -> value."""
    status, _, body = server.get("/metrics")
    assert status == 200, f"/metrics: {status} {body[:500]}"
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in body.splitlines() if line.startswith("livepeer_")}


def wait_for_api(server, what: str, done, timeout: float = SETTLE_S) -> dict[str, float]:
    """Poll the API's /metrics until done(samples) holds; fail after `timeout` s with what it serves."""
    deadline = time.monotonic() + timeout
    while True:
        samples = api_metrics(server)
        if done(samples):
            return samples
        if time.monotonic() > deadline:
            shown = {name: value for name, value in samples.items() if not name.startswith("livepeer_api_")}
            pytest.fail(f"the API's /metrics: {what}, not within {timeout:.0f} s after the build ended; it serves "
                        f"{shown or 'none of the warehouse numbers'} (an empty read, made while the build held "
                        "the warehouse, kept for the generation the build left?)", pytrace=False)
        time.sleep(0.5)


def firing(name: str):
    return lambda alerts: alerts.get(name, ("",))[0] == "firing"


def test_alerts_fire_and_resolve_in_prometheus(served, prometheus, tmp_path):
    env, server = served
    before = api_metrics(server)
    assert before[AGE] > STALE_AFTER_S and before[RUNS.format("failed")] == 0, before

    # 1. the fixture's events are from 2026-03-02
    stale = prometheus.wait("LivepeerEventsStale firing on the seed warehouse", firing("LivepeerEventsStale"))

    # 2. the job keeps failing: as many failed runs as LivepeerRunsFailing counts
    broken = broken_project(tmp_path)
    # its own target folder (starting from the session's parse of the project), the same warehouse
    broken_env = {**engine_env("duckdb", broken), "LIVEPEER_DUCKDB": env["LIVEPEER_DUCKDB"],
                  "DBT_PROJECT_DIR": str(broken)}
    needed = failed_runs_needed()
    for attempt in range(1, needed + 1):
        proc = make("build", broken_env)
        assert proc.returncode != 0, f"failing build {attempt} of {needed} succeeded:\n{output_of(proc)}"
        wait_for_api(server, f"{RUNS.format('failed')} is {attempt}",
                     lambda samples, n=attempt: samples.get(RUNS.format("failed")) == n)
    failing = prometheus.wait(f"LivepeerRunsFailing firing after {needed} failed runs",
                              firing("LivepeerRunsFailing"))
    # the warehouse's series stayed in every scrape while the builds held the warehouse: an alert
    # whose condition held all along was not reset by them (on a schedule of a run a minute, a
    # `for` of minutes could never elapse otherwise)
    if failing.get("LivepeerEventsStale") != stale["LivepeerEventsStale"]:
        scrapes_failed = prometheus.value(f'min_over_time(up{{job="{JOB}"}}[10m])') == 0
        prometheus.fail(
            f"LivepeerEventsStale was reset while the failing builds ran (it was {stale['LivepeerEventsStale']}, "
            f"now {failing.get('LivepeerEventsStale')}): "
            + ("a scrape of /metrics failed meanwhile" if scrapes_failed
               else "/metrics answered every scrape but left the series out during a build"))

    # 3. a good run of fresh events on the same warehouse, while the API serves it
    events = fresh_events(tmp_path / "events")
    proc = make("build", {**env, "LIVEPEER_EVENTS": str(events)})
    assert proc.returncode == 0, f"the fresh build failed:\n{output_of(proc)}"
    wait_for_api(server, f"{RUNS.format('success')} is 2 and {AGE} under {STALE_AFTER_S} s",
                 lambda samples: samples.get(RUNS.format("success")) == 2 and samples.get(AGE, 1e12) < STALE_AFTER_S)
    prometheus.wait("LivepeerEventsStale and LivepeerRunsFailing resolved after a fresh successful build",
                    lambda alerts: not {"LivepeerEventsStale", "LivepeerRunsFailing"} & set(alerts)
                    and (prometheus.value(AGE) if prometheus.value(AGE) is not None else 1e12) < STALE_AFTER_S)
