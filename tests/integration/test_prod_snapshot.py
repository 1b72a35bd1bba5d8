"""Labelled production sessions (prod_snapshot_20260224T210620Z), in the build of the
real events on DuckDB (the `real` input of the build matrix: this snapshot and the
2026-01-08 stream, one folder).

`labels.csv` maps each session_key to a scenario:
  scenario_1_*  clean startup success, no swap, output fps > 12
  scenario_2_*  no orchestrator available, then closed  -> excused
  scenario_3_*  startup success with an orchestrator swap
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter

import pytest

from _support import PROD_EVENTS, PROD_LABELS, query, query_dicts, require_fixture

SESSION_COLUMNS = (
    "session_key, startup_outcome, excusal_reason, is_swapped, avg_output_fps, "
    "is_known_session, has_missing_capacity, session_start_hour, gateway, region, "
    "pipeline, model_id"
)


@pytest.fixture(scope="module")
def labels() -> dict[str, str]:
    require_fixture(PROD_LABELS)
    with PROD_LABELS.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, f"{PROD_LABELS} has no rows"
    assert {"session_key", "scenario", "source_file"} <= set(rows[0])
    return {row["session_key"]: row["scenario"] for row in rows}


@pytest.fixture(scope="module")
def prod_db(matrix, labels):
    require_fixture(PROD_EVENTS)
    return matrix("duckdb", "real").db_path


@pytest.fixture(scope="module")
def sessions(prod_db) -> dict[str, dict]:
    rows = query_dicts(prod_db, f"select {SESSION_COLUMNS} from fct_workflow_sessions")
    by_key = {row["session_key"]: row for row in rows}
    assert len(by_key) == len(rows), "session_key is not unique in fct_workflow_sessions"
    return by_key


def _keys(labels: dict[str, str], prefix: str) -> list[str]:
    keys = sorted(k for k, scenario in labels.items() if scenario.startswith(prefix))
    assert keys, f"labels.csv has no {prefix}* sessions"
    return keys


def test_every_labelled_session_exists(labels, sessions):
    missing = sorted(set(labels) - set(sessions))
    assert not missing, f"labelled sessions missing from fct_workflow_sessions: {missing}"


def test_scenario_1_clean_success(labels, sessions):
    for key in _keys(labels, "scenario_1_"):
        s = sessions[key]
        assert s["startup_outcome"] == "success", key
        assert s["is_swapped"] is False, key
        assert s["avg_output_fps"] is not None, key
        assert s["avg_output_fps"] > 12, (key, s["avg_output_fps"])


def test_scenario_2_excused_no_orchestrator(labels, sessions):
    for key in _keys(labels, "scenario_2_"):
        s = sessions[key]
        assert s["startup_outcome"] == "excused", (key, s["startup_outcome"])
        assert s["excusal_reason"] == "no_orchestrator", (key, s["excusal_reason"])


def test_scenario_2_counted_as_missing_capacity(labels, sessions, prod_db):
    groups = Counter(
        (
            sessions[key]["session_start_hour"],
            sessions[key]["gateway"],
            sessions[key]["region"],
            sessions[key]["pipeline"],
            sessions[key]["model_id"],
        )
        for key in _keys(labels, "scenario_2_")
    )
    for (hour, gateway, region, pipeline, model_id), n_sessions in groups.items():
        [(missing_capacity,)] = query(
            prod_db,
            """
            select coalesce(sum(missing_capacity_count), 0)
            from v_api_network_demand
            where window_start is not distinct from ?
              and gateway is not distinct from ?
              and region is not distinct from ?
              and pipeline is not distinct from ?
              and model_id is not distinct from ?
            """,
            [hour, gateway, region, pipeline, model_id],
        )
        assert missing_capacity >= n_sessions, (
            f"demand row ({hour}, {gateway!r}, {region!r}, {pipeline!r}, {model_id!r}) "
            f"has missing_capacity_count={missing_capacity}, "
            f"expected >= {n_sessions} scenario_2 sessions"
        )

    [(view_total,)] = query(
        prod_db, "select coalesce(sum(missing_capacity_count), 0) from v_api_network_demand"
    )
    [(no_orch_sessions,)] = query(
        prod_db,
        "select count(*) from fct_workflow_sessions "
        "where is_known_session and has_missing_capacity",
    )
    assert no_orch_sessions >= sum(groups.values())
    assert view_total == no_orch_sessions


def test_scenario_3_success_with_swap(labels, sessions):
    for key in _keys(labels, "scenario_3_"):
        s = sessions[key]
        assert s["startup_outcome"] == "success", (key, s["startup_outcome"])
        assert s["is_swapped"] is True, key


# Two orchestrators of the snapshot, checked by hand against what their capability snapshots say:
# 0xbd67... lists two RTX 4090s for streamdiffusion-sdxl (and later RTX 5090s for the v2v model),
# 0x6697... one RTX 5090.
SUPPLY_ORCHESTRATORS = ("0xbd677e96a755207d348578727aa57a512c2022bd", "0x66970f8b4a5376ed7961e8633a83809e49ad809d")


def hour_of(epoch_ms: int) -> dt.datetime:
    """The UTC hour (naive, as the warehouse returns it) of an epoch-ms time."""
    return dt.datetime.fromtimestamp(epoch_ms // 3_600_000 * 3600, dt.UTC).replace(tzinfo=None)


def _snapshot_gpus() -> list[dict]:
    """Every GPU x model of the two orchestrators' snapshots, read straight from the events."""
    rows = []
    for line in PROD_EVENTS.read_text().splitlines():
        event = json.loads(line)
        if event["type"] != "network_capabilities":
            continue
        entries = event["data"] if isinstance(event["data"], list) else json.loads(event["data"])
        for entry in entries:
            address = entry["address"].lower()
            if address not in SUPPLY_ORCHESTRATORS:
                continue
            constraints = entry["capabilities"].get("constraints", {}).get("PerCapability", {})
            for hardware in entry.get("hardware", []):
                model = hardware["model_id"]
                gpus_of_model = sum(len(h["gpu_info"]) for h in entry["hardware"] if h["model_id"] == model)
                in_use = next((c["models"][model].get("capacityInUse") for c in constraints.values()
                               if model in c.get("models", {})), None)
                price = next((p["pricePerUnit"] / p["pixelsPerUnit"] for p in entry["capabilities_prices"]
                              if p["constraint"] == model), None)
                for gpu in hardware["gpu_info"].values():
                    rows.append({
                        "snapshot_event_id": event["id"], "orchestrator_address": address,
                        "hour": hour_of(int(event["timestamp"])),
                        "gpu_id": gpu["id"], "gpu_name": gpu["name"], "model_id": model,
                        "price_wei_per_pixel": price, "model_capacity_in_use": in_use,
                        "in_use_share": None if in_use is None else in_use / gpus_of_model,
                    })
    return rows


def test_supply_shows_what_the_capability_snapshots_say(prod_db):
    """GPUs, models, prices and capacity in use of two orchestrators, snapshot by snapshot (fct_gpu_supply)
    and hour by hour (v_api_gpu_supply), equal what their snapshots say."""
    expected = _snapshot_gpus()
    assert {r["orchestrator_address"] for r in expected} == set(SUPPLY_ORCHESTRATORS)
    assert {r["gpu_name"] for r in expected} >= {"NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 5090"}
    columns = ["snapshot_event_id", "orchestrator_address", "gpu_id", "gpu_name", "model_id",
               "price_wei_per_pixel", "model_capacity_in_use"]
    actual = query_dicts(prod_db, f"select {', '.join(columns)} from fct_gpu_supply"
                         f" where orchestrator_address in {SUPPLY_ORCHESTRATORS} and supply_issue is null")
    as_tuples = sorted(tuple(str(r[c]) for c in columns) for r in actual)
    assert as_tuples == sorted(tuple(str(r[c]) for c in columns) for r in expected)

    hourly = {}
    for r in expected:
        key = (r["hour"], r["orchestrator_address"], r["model_id"], r["gpu_id"])
        hour = hourly.setdefault(key, {"snapshots": 0, "prices": [], "in_use": 0.0})
        hour["snapshots"] += 1
        hour["prices"].append(r["price_wei_per_pixel"])
        hour["in_use"] += r["in_use_share"] or 0.0
    view = query_dicts(prod_db, "select window_start, orchestrator_address, model_id, gpu_id, gpu_snapshots,"
                       " avg_price_wei_per_pixel, capacity_in_use_slots_sum from v_api_gpu_supply"
                       f" where orchestrator_address in {SUPPLY_ORCHESTRATORS}")
    assert len(view) == len(hourly)
    for row in view:
        hour = hourly[(row["window_start"], row["orchestrator_address"], row["model_id"], row["gpu_id"])]
        assert row["gpu_snapshots"] == hour["snapshots"], row
        assert row["avg_price_wei_per_pixel"] == pytest.approx(sum(hour["prices"]) / len(hour["prices"])), row
        assert row["capacity_in_use_slots_sum"] == pytest.approx(hour["in_use"]), row
