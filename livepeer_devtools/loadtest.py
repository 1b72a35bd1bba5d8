"""A bounded load test of the read API on loopback (`make loadtest`).

    python -m livepeer_devtools.loadtest [--duckdb FILE] [--requests N] [--duration S] [--clients 1,8,32]

Starts the API (`python -m livepeer_analytics.api`, rate limit off) on a free
loopback port over a built DuckDB warehouse: by default the 8-day bench
warehouse `make bench` leaves (target/bench/bench.duckdb), else
target/loadtest/loadtest.duckdb; `--duckdb FILE` for another one (build one with
`python -m livepeer_devtools.generate --days 2 --events-per-day 720000 --seed 42
--out DIR` then `LIVEPEER_EVENTS=DIR LIVEPEER_DUCKDB=FILE make build`).

For each number of concurrent clients it sends a fixed number of requests
(or stops at the duration, whichever comes first) from a realistic mix:
one-hour and one-day windows at the full grain, one day per orchestrator and
per gateway (day and total granularity), one day of GPU supply per
orchestrator (hourly, with the exact distinct counts), paginated scans
(limit 200, following next_cursor), and year-long (366-day) daily, weekly and
total requests on every kind of view (demand, SLA, price and performance,
GPU supply, supply and demand, ingest quality), and prints requests/s and
p50/p95/p99 latency, per request kind and overall. Every answer must be 200.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = (REPO / "target" / "bench" / "bench.duckdb", REPO / "target" / "loadtest" / "loadtest.duckdb")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base: str, path: str, params: dict) -> tuple[int, dict]:
    url = f"{base}{path}?{urllib.parse.urlencode(params, doseq=True)}"
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode()[:200]}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def iso(t: dt.datetime) -> str:
    return t.isoformat() + "Z"


def scenarios(newest: dt.datetime, days: int, orchestrators: list[str], gateways: list[str]):
    """(kind, path, params, paginate) picked at random with these weights."""
    weighted = day_scenarios(newest, days, orchestrators, gateways) + year_scenarios(newest)
    return [f for f, w in weighted for _ in range(w)]


def day_scenarios(newest: dt.datetime, days: int, orchestrators: list[str], gateways: list[str]) -> list:
    """One-hour and one-day windows somewhere in the data, with their weights."""

    def random_day():
        end = newest + dt.timedelta(hours=1) - dt.timedelta(hours=random.randrange(0, max(1, 24 * (days - 1))))
        return iso(end - dt.timedelta(days=1)), iso(end)

    def random_hour():
        start = newest - dt.timedelta(hours=random.randrange(0, 24 * days))
        return iso(start), iso(start + dt.timedelta(hours=1))

    def hour_gpu():
        s, e = random_hour()
        return "hour window, gpu full grain", "/v1/gpu/metrics", {"start": s, "end": e}, False

    def day_gpu():
        s, e = random_day()
        return "day window, gpu full grain hourly", "/v1/gpu/metrics", {"start": s, "end": e, "limit": 10000}, False

    def day_orch():
        s, e = random_day()
        return ("day window, one orchestrator, daily", "/v1/gpu/metrics",
                {"start": s, "end": e, "granularity": "day", "group_by": "orchestrator_address,gpu_id",
                 "orchestrator_address": random.choice(orchestrators)}, False)

    def day_sla():
        s, e = random_day()
        return ("day window, sla per orchestrator, total", "/v1/sla/compliance",
                {"start": s, "end": e, "granularity": "total", "group_by": "orchestrator_address"}, False)

    def day_gateway():
        s, e = random_day()
        return ("day window, demand per gateway, hourly", "/v1/network/demand",
                {"start": s, "end": e, "group_by": "gateway", "gateway": random.choice(gateways)}, False)

    def day_supply():
        s, e = random_day()
        return ("day window, gpu supply per orchestrator, hourly", "/v1/gpu/supply",
                {"start": s, "end": e, "group_by": "orchestrator_address"}, False)

    def scan():
        s, e = random_day()
        return ("paginated scan (limit 200), demand full grain", "/v1/network/demand",
                {"start": s, "end": e, "limit": 200}, True)

    return [(hour_gpu, 3), (day_gpu, 2), (day_orch, 2), (day_sla, 1), (day_gateway, 2), (day_supply, 1),
            (scan, 1)]


def year_scenarios(newest: dt.datetime) -> list:
    """The longest window day, week and total accept (366 days), ending at the newest hour, on every kind of
    view, with their weights."""
    end = newest + dt.timedelta(hours=1)
    window = {"start": iso(end - dt.timedelta(days=366)), "end": iso(end)}

    def kind(label: str, path: str, granularity: str, group_by: str):
        return lambda: (f"year window, {label}", path, {**window, "granularity": granularity, "group_by": group_by},
                        False)

    return [(kind("demand per model, daily", "/v1/network/demand", "day", "model_id"), 1),
            (kind("sla per orchestrator, weekly", "/v1/sla/compliance", "week", "orchestrator_address"), 1),
            (kind("price and performance per GPU, total", "/v1/gpu/price-performance", "total",
                  "orchestrator_address,gpu_id"), 1),
            (kind("gpu supply per orchestrator, daily", "/v1/gpu/supply", "day", "orchestrator_address"), 1),
            (kind("supply and demand per model, weekly", "/v1/supply/demand", "week", "model_id"), 1),
            (kind("ingest quality per gateway, daily", "/v1/ingest/quality", "day", "gateway"), 1)]


def run_level(base: str, clients: int, requests: int, duration: float, picks) -> dict:
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + duration

    def worker():
        while True:
            with lock:
                if issued[0] >= requests or time.monotonic() > deadline:
                    return
                issued[0] += 1
            kind, path, params, paginate = random.choice(picks)()
            cursor = None
            while True:
                started = time.perf_counter()
                status, body = get(base, path, {**params, **({"cursor": cursor} if cursor else {})})
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.setdefault(kind, []).append(elapsed)
                    if status != 200:
                        errors.append(f"{status} {path} {body.get('error')}")
                cursor = body.get("next_cursor") if paginate and status == 200 else None
                if not cursor:
                    break

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    every = [v for values in latencies.values() for v in values]
    return {"clients": clients, "requests": len(every), "seconds": wall, "rps": len(every) / wall,
            "errors": errors, "kinds": latencies, "all": every}


def row(label: str, values: list[float], extra: str = "") -> str:
    return (f"| {label} | {len(values)} | {extra}{percentile(values, .5) * 1000:,.0f} | "
            f"{percentile(values, .95) * 1000:,.0f} | {percentile(values, .99) * 1000:,.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", help="the DuckDB warehouse to serve")
    parser.add_argument("--requests", type=int, default=300, help="requests per concurrency level (default 300)")
    parser.add_argument("--duration", type=float, default=60, help="seconds per level at most (default 60)")
    parser.add_argument("--clients", default="1,8,32", help="concurrency levels (default 1,8,32)")
    parser.add_argument("--cache-mb", type=float, default=None,
                        help="the API's answer cache (LIVEPEER_API_CACHE_MB; default the server's, 64; 0 = off)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    random.seed(args.seed)

    db = Path(args.duckdb) if args.duckdb else next((p for p in CANDIDATES if p.is_file()), None)
    if db is None or not db.is_file():
        print("error: no warehouse to load: run `make bench` (8 days) or pass --duckdb FILE "
              "(see `python -m livepeer_devtools.loadtest --help`)", file=sys.stderr)
        return 2
    port = free_port()
    env = {**os.environ, "DBT_TARGET": "duckdb", "LIVEPEER_DUCKDB": str(db.resolve()),
           "LIVEPEER_API_RATE_LIMIT": "0", "LIVEPEER_API_MAX_LIMIT": "10000"}
    if args.cache_mb is not None:
        env["LIVEPEER_API_CACHE_MB"] = str(args.cache_mb)
    server = subprocess.Popen([sys.executable, "-m", "livepeer_analytics.api", "--port", str(port),
                               "--log-level", "warning"], cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                status, health = get(base, "/healthz", {})
                if status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                print("error: the API server exited", file=sys.stderr)
                return 1
            time.sleep(0.1)
        else:
            print("error: the API server did not start", file=sys.stderr)
            return 1
        newest = dt.datetime.fromisoformat(health["newest_window_start"][:-1])
        _, totals = get(base, "/v1/gpu/metrics", {"granularity": "total", "group_by": "", "start": "2000-01-01",
                                                   "end": "2000-01-02"})
        _, orchs = get(base, "/v1/sla/compliance", {"granularity": "total", "group_by": "orchestrator_address"})
        _, gws = get(base, "/v1/network/demand", {"granularity": "total", "group_by": "gateway"})
        orchestrators = [r["orchestrator_address"] or "~null" for r in orchs["rows"]] or ["~null"]
        gateways = [r["gateway"] for r in gws["rows"]] or [""]
        size = db.stat().st_size / 1e6
        # how many days of data: the oldest hour with a status sample
        days = 1
        for d in range(1, 40):
            start = (newest - dt.timedelta(days=d)).isoformat() + "Z"
            end = (newest - dt.timedelta(days=d - 1)).isoformat() + "Z"
            status, page = get(base, "/v1/network/demand",
                               {"granularity": "total", "group_by": "", "start": start, "end": end})
            if status != 200 or not page["rows"]:
                break
            days = d
        print(f"loadtest: {db} ({size:,.0f} MB, about {days} day(s) of data up to {newest}Z), "
              f"{len(orchestrators)} orchestrators, {len(gateways)} gateways; answer cache "
              f"{env.get('LIVEPEER_API_CACHE_MB', '64 (default)')} MB; "
              f"{args.requests} requests or {args.duration:g} s per level")
        picks = scenarios(newest, days, orchestrators, gateways)
        get(base, "/v1/gpu/metrics", {})  # warm up
        results = []
        for clients in [int(c) for c in args.clients.split(",")]:
            result = run_level(base, clients, args.requests, args.duration, picks)
            results.append(result)
            print(f"  {clients} client(s): {result['requests']} requests in {result['seconds']:.1f} s, "
                  f"{result['rps']:.1f} req/s, {len(result['errors'])} errors", flush=True)
        print()
        print("| clients | requests | req/s | p50 ms | p95 ms | p99 ms |")
        print("|---|---|---|---|---|---|")
        for r in results:
            print(row(str(r["clients"]), r["all"], f"{r['rps']:.1f} | "))
        print()
        print("| clients | request kind | requests | p50 ms | p95 ms | p99 ms |")
        print("|---|---|---|---|---|---|")
        for r in results:
            for kind, values in sorted(r["kinds"].items()):
                print(row(f"{r['clients']} | {kind}", values))
        failed = [e for r in results for e in r["errors"]]
        if failed:
            print(f"\n{len(failed)} requests failed, e.g. {failed[:3]}", file=sys.stderr)
            return 1
        return 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
