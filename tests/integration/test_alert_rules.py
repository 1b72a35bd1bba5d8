"""The Prometheus alerting rules (monitoring/prometheus/alerts.yml) and their examples.

- `promtool check rules` and `promtool check config` (offline: the example config and
  the rule file it loads), and `promtool test rules` over alerts_test.yml, the rules'
  unit tests on synthetic series. These skip with a message when promtool is missing
  (Debian's `prometheus` package; .ci/run installs it when apt is available).
- Without promtool, from the YAML: every alert has a `for`, a `severity` label of the
  documented two, a summary and a runbook anchor; alerts_test.yml has a case where it
  fires and one where it does not; docs/monitoring.md has its runbook section, which
  shows the alert's expression, `for` and severity as alerts.yml has them (so the
  thresholds the docs show are the ones that run), and documents every metric the rules
  read; the example configs route every severity and scrape the job the rules watch.

Fast (a few seconds, no warehouse): part of `make check`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from _support import REPO_ROOT

PROMETHEUS_DIR = REPO_ROOT / "monitoring" / "prometheus"
ALERTS = PROMETHEUS_DIR / "alerts.yml"
ALERTS_TEST = PROMETHEUS_DIR / "alerts_test.yml"
PROMETHEUS_CONFIG = PROMETHEUS_DIR / "prometheus.yml"
ALERTMANAGER_CONFIG = REPO_ROOT / "monitoring" / "alertmanager" / "alertmanager.yml"
MONITORING_DOC = REPO_ROOT / "docs" / "monitoring.md"

SEVERITIES = {"page", "ticket"}  # docs/monitoring.md, "Severities"


def _yaml(path: Path):
    return yaml.safe_load(path.read_text())


def _rules() -> list[dict]:
    return [rule for group in _yaml(ALERTS)["groups"] for rule in group["rules"]]


def _alerts() -> list[dict]:
    return [rule for rule in _rules() if "alert" in rule]


def _alert_names() -> list[str]:
    return [rule["alert"] for rule in _alerts()]


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _sections(markdown: str) -> dict[str, str]:
    """Anchor -> text of every `##`/`###` section (up to the next heading of any level)."""
    parts = re.split(r"^(#{2,3} .+)$", markdown, flags=re.MULTILINE)
    return {_anchor(parts[i].lstrip("#")): parts[i + 1] for i in range(1, len(parts), 2)}


def _squash(text: str) -> str:
    return " ".join(text.split())


# ----------------------------------------------------------------------------- promtool


def _promtool() -> str:
    path = os.environ.get("LIVEPEER_PROMTOOL") or shutil.which("promtool")
    if not path:
        pytest.skip("promtool not found: apt-get install prometheus")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ("check", "rules", ALERTS),
        ("check", "config", PROMETHEUS_CONFIG),
        ("test", "rules", ALERTS_TEST),
    ],
    ids=["check-rules", "check-config", "test-rules"],
)
def test_promtool(command):
    proc = subprocess.run(
        [_promtool(), *map(str, command)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, (
        f"promtool {' '.join(map(str, command))} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
    )


# ------------------------------------------------------------------ the rules' structure


def test_every_alert_has_for_severity_summary_and_runbook():
    alerts = _alerts()
    assert alerts, f"no alerting rule in {ALERTS}"
    names = _alert_names()
    assert len(names) == len(set(names)), f"alert names repeat: {sorted(names)}"
    problems = []
    for rule in alerts:
        name = rule["alert"]
        if not rule.get("for"):
            problems.append(f"{name}: no `for`")
        severity = rule.get("labels", {}).get("severity")
        if severity not in SEVERITIES:
            problems.append(f"{name}: labels.severity is {severity!r}, not one of {sorted(SEVERITIES)}")
        annotations = rule.get("annotations", {})
        if not annotations.get("summary", "").strip():
            problems.append(f"{name}: no annotations.summary")
        expected_runbook = f"docs/monitoring.md#{_anchor(name)}"
        if annotations.get("runbook") != expected_runbook:
            problems.append(f"{name}: annotations.runbook is {annotations.get('runbook')!r}, not {expected_runbook!r}")
    assert not problems, "\n".join(problems)


def test_every_alert_has_a_firing_and_a_quiet_case():
    suite = _yaml(ALERTS_TEST)
    assert suite["rule_files"] == [ALERTS.name], "alerts_test.yml must test alerts.yml"
    firing, quiet = set(), set()
    for test in suite["tests"]:
        for case in test.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    names = set(_alert_names())
    problems = [f"{name}: no case in alerts_test.yml where it fires" for name in sorted(names - firing)]
    problems += [f"{name}: no case in alerts_test.yml where it does not fire" for name in sorted(names - quiet)]
    unknown = (firing | quiet) - names
    problems += [f"{name}: tested in alerts_test.yml but not an alert of alerts.yml" for name in sorted(unknown)]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- the docs


def test_every_alert_has_a_runbook_section_showing_its_rule():
    """Each alert's section of docs/monitoring.md (its heading is the alert's name) holds a
    ```yaml block with the alert's expr, for and severity as alerts.yml has them."""
    sections = _sections(MONITORING_DOC.read_text())
    problems = []
    for rule in _alerts():
        name = rule["alert"]
        section = sections.get(_anchor(name))
        if section is None:
            problems.append(f"{name}: no section '### {name}' in {MONITORING_DOC.name}")
            continue
        blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)]
        shown = next((b for b in blocks if isinstance(b, dict) and "expr" in b), None)
        if shown is None:
            problems.append(f"{name}: its section shows no ```yaml block with the rule's expr")
            continue
        for key, docs, rules in (
            ("expr", _squash(str(shown["expr"])), _squash(rule["expr"])),
            ("for", str(shown.get("for")), str(rule["for"])),
            ("severity", shown.get("severity"), rule["labels"]["severity"]),
        ):
            if docs != rules:
                problems.append(f"{name}: the docs show {key} {docs!r}, alerts.yml has {rules!r}")
    assert not problems, "\n".join(problems)


def test_every_metric_the_rules_read_is_documented():
    metrics = set()
    for rule in _rules():
        metrics |= set(re.findall(r"\blivepeer_[a-z_]+", rule["expr"]))
    # a histogram's series are documented under the histogram's name
    metrics = {re.sub(r"_(bucket|sum|count)$", "", name) for name in metrics}
    sections = _sections(MONITORING_DOC.read_text())
    documented = sections.get("metrics", "")
    missing = sorted(name for name in metrics if f"`{name}" not in documented)
    assert not missing, f"metrics the rules read that the 'Metrics' section of {MONITORING_DOC.name} lacks: {missing}"


# --------------------------------------------------------------------- the example configs


def test_the_example_configs_fit_the_rules():
    prometheus = _yaml(PROMETHEUS_CONFIG)
    assert ALERTS.name in prometheus["rule_files"]
    assert prometheus["alerting"]["alertmanagers"], "no Alertmanager target"
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    watched = {match for rule in _rules() for match in re.findall(r'\bup\{job="([^"]+)"\}', rule["expr"])}
    assert watched, "no rule watches up{job=...}"
    assert watched <= set(jobs), f"the rules watch up{{job=...}} of {watched}; prometheus.yml scrapes {set(jobs)}"
    for job in watched:
        assert jobs[job].get("metrics_path") == "/metrics"

    alertmanager = _yaml(ALERTMANAGER_CONFIG)
    receivers = {receiver["name"] for receiver in alertmanager["receivers"]}
    routes = alertmanager["route"].get("routes", [])
    assert alertmanager["route"]["receiver"] in receivers
    routed = {}
    for route in routes:
        assert route["receiver"] in receivers, f"route to an undefined receiver {route['receiver']!r}"
        for matcher in route.get("matchers", []):
            found = re.fullmatch(r'severity="(\w+)"', matcher.replace(" ", ""))
            if found:
                routed[found.group(1)] = route["receiver"]
    used = {rule["labels"]["severity"] for rule in _alerts()}
    assert used <= set(routed), f"severities without a route in alertmanager.yml: {sorted(used - set(routed))}"
    assert len(set(routed.values())) == len(routed), f"every severity goes to its own receiver: {routed}"
