"""Benchmark the DuckDB build at production volume.

Run from anywhere (``make bench`` does this)::

    python -m livepeer_analytics.bench            # 8 days + 1 hour at 720,000 events/day (10-20 min)
    python -m livepeer_analytics.bench --quick    # 1 day + 1 hour at 20,000 events/day (1-2 min)

Work happens under ``<repo>/target/bench/`` (``target/bench/quick/`` with
``--quick``): generated events (``data/all/``, cached while the parameters and
the generator are unchanged), one directory of symlinks per input, the bench
DuckDB file, dbt's target and log directories and one log per step
(``logs/``). The results go to ``target/bench.json`` (``--quick``:
``target/bench-quick.json``, so a check never overwrites a real run).

Steps, each in its own subprocess with an isolated environment, run through a
small wrapper whose only child is the measured command, so each step reports
its own wall time and peak RSS (the dbt process with its in-process DuckDB):

  generate      python -m livepeer_analytics.generate (skipped when cached);
  fixed cost    dbt build (models and seeds) on the fixture seed: set-up and
                dbt start-up, independent of the volume;
  floor         a fresh DuckDB reads and parses the raw NDJSON once;
  full build    dbt build (models and seeds, no data tests) on a fresh file;
  dbt test      data and unit tests on the largest input;
  incremental   dbt build on top of the largest build with the next hour only.

"growing part" = full build - fixed cost; the target is growing part <= 3 x
floor. The other targets: full 8-day build < 600 s, incremental +1 hour
< 30 s, peak RSS < 4096 MB. A missed target is reported, not an error; the
exit status is non-zero only when a command fails (dbt's last lines are
printed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # not resolved: the venv's bin, where dbt lives
DBT = str(BIN / "dbt")
GENERATOR = REPO / "livepeer_analytics" / "generate.py"

START = "2026-03-01T00:00:00Z"
SEED = 42
DBT_BUILD_ARGS = ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]

# (days generated, events/day, [(input label, first arrival hour, end hour)], incremental hour)
# The last input is the large one: it also gets `dbt test`, the profile and the
# incremental hour on top.
FULL = {
    "mode": "full",
    "days": 9,
    "events_per_day": 720_000,
    "inputs": [("1 day", 0, 24), ("8 days", 0, 192)],
    "incremental": ("+1 hour", 192, 193),
    "work": REPO / "target" / "bench",
    "json": REPO / "target" / "bench.json",
}
QUICK = {
    "mode": "quick",
    "days": 2,
    "events_per_day": 20_000,
    "inputs": [("1 day", 0, 24)],
    "incremental": ("+1 hour", 24, 25),
    "work": REPO / "target" / "bench" / "quick",
    "json": REPO / "target" / "bench-quick.json",
}

TARGETS = {
    "growing_part_max_floor_ratio": 3.0,
    "full_build_large_max_seconds": 600.0,
    "incremental_hour_max_seconds": 30.0,
    "peak_rss_max_mb": 4096.0,
}

# Runs argv (JSON) as its only child, output to a log file, then prints wall
# time and the child's peak RSS (ru_maxrss of RUSAGE_CHILDREN, KiB on Linux).
WRAPPER = r"""
import json, resource, subprocess, sys, time
argv, log = json.loads(sys.argv[1]), sys.argv[2]
began = time.perf_counter()
with open(log, "wb") as out:
    rc = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT).returncode
seconds = time.perf_counter() - began
print(json.dumps({"rc": rc, "seconds": seconds,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""

# The floor: DuckDB reads and parses the raw NDJSON once.
FLOOR = r"""
import json, sys, time
import duckdb
pattern = sys.argv[1]
began = time.perf_counter()
con = duckdb.connect(":memory:")
con.execute("set enable_progress_bar = false")
rows, chars = con.execute(
    "select count(*), sum(length(cast(data as varchar))) from read_json(?, format='newline_delimited', "
    "columns={'id':'varchar','type':'varchar','timestamp':'varchar','gateway':'varchar','data':'json'})",
    [pattern],
).fetchone()
print(json.dumps({"rows": rows, "data_chars": chars, "query_seconds": time.perf_counter() - began,
                  "threads": con.execute("select current_setting('threads')").fetchone()[0]}))
"""

FILE_RE = re.compile(r"^events-(\d{8}T\d{2})\.ndjson$")


class BenchError(Exception):
    """A step failed for real (a command exited non-zero)."""


def mb(n_bytes: float) -> float:
    return n_bytes / (1024 * 1024)


def last_json(path: Path) -> dict:
    """The last line of a log that is a JSON object (progress bars may precede it on that line)."""
    for line in reversed(re.split(r"[\r\n]+", path.read_text(errors="replace"))):
        start = line.find("{")
        if start >= 0:
            try:
                return json.loads(line[start:])
            except ValueError:
                continue
    raise BenchError(f"no JSON result in {path}")


def tail(path: Path, n: int = 40) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no output)"
    return "\n".join(lines[-n:])


class Bench:
    def __init__(self, cfg: dict):
        self.cfg = cfg
        self.work: Path = cfg["work"]
        self.data = self.work / "data"
        self.all_dir = self.data / "all"
        self.logs = self.work / "logs"
        self.dbt_target = self.work / "dbt-target"
        self.dbt_logs = self.work / "dbt-logs"
        self.db = self.work / "bench.duckdb"
        self.steps: list[dict] = []
        self.profiles: dict[str, dict] = {}
        self.inputs: dict[str, dict] = {}
        self.generation: dict = {}
        self.errors: list[str] = []

    # -- environment and running ------------------------------------------

    def env(self, events: Path | None) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DBT_", "LIVEPEER_", "CLICKHOUSE_"))}
        env.update({
            "DBT_PROFILES_DIR": str(REPO),
            "DBT_TARGET": "duckdb",
            "DBT_TARGET_PATH": str(self.dbt_target),
            "DBT_LOG_PATH": str(self.dbt_logs),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "LIVEPEER_DUCKDB": str(self.db),
            "PYTHONPATH": str(REPO),
        })
        if events is not None:
            env["LIVEPEER_EVENTS"] = str(events)
        return env

    def run(self, name: str, argv: list[str], env: dict) -> dict:
        """Run argv through the wrapper; return rc, seconds, peak_mb, log."""
        log = self.logs / f"{len(self.steps) + 1:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.log"
        print(f"  running {name} ...", flush=True)
        proc = subprocess.run([sys.executable, "-c", WRAPPER, json.dumps(argv), str(log)],
                              cwd=REPO, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BenchError(f"{name}: wrapper failed ({proc.returncode}): {proc.stderr.strip()}")
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        return {"rc": res["rc"], "seconds": round(res["seconds"], 2),
                "peak_mb": round(res["maxrss_kb"] / 1024, 1), "log": str(log.relative_to(REPO))}

    def record(self, step: str, input_label: str, res: dict, notes: str = "", **extra) -> dict:
        row = {"step": step, "input": input_label, "seconds": res.get("seconds"),
               "peak_mb": res.get("peak_mb"), "notes": notes, "rc": res.get("rc"),
               "log": res.get("log"), **extra}
        self.steps.append(row)
        secs = "cached" if row["seconds"] is None else f"{row['seconds']:.1f} s"
        print(f"  {step} [{input_label}]: {secs}"
              + ("" if row["peak_mb"] is None else f", peak {row['peak_mb']:.0f} MB")
              + (f"  ({notes})" if notes else ""), flush=True)
        return row

    def fail(self, name: str, res: dict, what: str = "failed") -> None:
        log = REPO / res["log"]
        print(f"\nERROR: {name} {what} (exit {res['rc']}); last lines of {res['log']}:\n"
              f"{tail(log)}\n", file=sys.stderr, flush=True)
        self.errors.append(f"{name} {what} (exit {res['rc']}), see {res['log']}")

    # -- data ---------------------------------------------------------------

    def params(self) -> dict:
        return {"days": self.cfg["days"], "events_per_day": self.cfg["events_per_day"], "seed": SEED,
                "start": START,
                "generator_sha256": hashlib.sha256(GENERATOR.read_bytes()).hexdigest()}

    def prepare_data(self) -> None:
        params = self.params()
        params_file = self.data / "params.json"
        cached = None
        if params_file.exists():
            try:
                cached = json.loads(params_file.read_text())
            except ValueError:
                cached = None
        files = sorted(self.all_dir.glob("events-*.ndjson")) if self.all_dir.exists() else []
        if (cached and cached.get("params") == params
                and len(files) == cached.get("summary", {}).get("files")):
            self.generation = {"cached": True, **cached}
            self.record("generate", f"{self.cfg['days']} d x {self.cfg['events_per_day']:,}/d", {},
                        "cached: same parameters and generator")
        else:
            params_file.unlink(missing_ok=True)
            self.all_dir.mkdir(parents=True, exist_ok=True)
            argv = [sys.executable, "-m", "livepeer_analytics.generate", "--days", str(params["days"]),
                    "--events-per-day", str(params["events_per_day"]), "--seed", str(SEED),
                    "--out", str(self.all_dir), "--start", START]
            res = self.run("generate", argv, self.env(None))
            if res["rc"] != 0:
                self.fail("generate", res)
                raise BenchError("the generator failed")
            summary = last_json(REPO / res["log"])
            params_file.write_text(json.dumps({"params": params, "summary": summary}, indent=2) + "\n")
            self.generation = {"cached": False, "params": params, "summary": summary,
                               "seconds": res["seconds"]}
            self.record("generate", f"{self.cfg['days']} d x {self.cfg['events_per_day']:,}/d", res,
                        f"{summary['lines']:,} lines, {summary['files']} files")
        self.make_inputs()

    def make_inputs(self) -> None:
        start = dt.datetime.strptime(START, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
        by_hour: dict[int, Path] = {}
        for f in self.all_dir.iterdir():
            m = FILE_RE.match(f.name)
            if m:
                t = dt.datetime.strptime(m.group(1), "%Y%m%dT%H").replace(tzinfo=dt.timezone.utc)
                by_hour[int((t - start).total_seconds()) // 3600] = f
        total = sum(f.stat().st_size for f in by_hour.values())
        self.generation["total_mb"] = round(mb(total), 1)
        self.generation["arrival_hours"] = [min(by_hour), max(by_hour)] if by_hour else []
        for label, lo, hi in [*self.cfg["inputs"], self.cfg["incremental"]]:
            d = self.data / ("in-" + re.sub(r"[^a-z0-9]+", "", label.lower()))
            if d.exists():
                shutil.rmtree(d)
            d.mkdir(parents=True)
            chosen = [by_hour[h] for h in range(lo, hi) if h in by_hour]
            if len(chosen) != hi - lo:
                raise BenchError(f"input {label}: expected {hi - lo} arrival-hour files, found {len(chosen)}")
            for f in chosen:
                (d / f.name).symlink_to(os.path.relpath(f, d))
            size = sum(f.stat().st_size for f in chosen)
            self.inputs[label] = {"dir": str(d.relative_to(REPO)), "arrival_hours": [lo, hi],
                                  "files": len(chosen), "mb": round(mb(size), 1)}
        print(f"  data: {len(by_hour)} arrival-hour files, {mb(total):,.0f} MB in total; "
              + "; ".join(f"{k}: {v['files']} files, {v['mb']:,.0f} MB" for k, v in self.inputs.items()),
              flush=True)

    def input_dir(self, label: str) -> Path:
        return REPO / self.inputs[label]["dir"]

    # -- steps ----------------------------------------------------------------

    def fresh_db(self) -> None:
        for p in (self.db, self.db.with_name(self.db.name + ".wal")):
            p.unlink(missing_ok=True)

    def run_results(self, key: str) -> dict:
        """Per-node profile of the dbt invocation that just ran."""
        path = self.dbt_target / "run_results.json"
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return {}
        shutil.copy(path, self.work / f"run_results-{re.sub(r'[^a-z0-9]+', '-', key.lower()).strip('-')}.json")
        nodes = []
        for r in data.get("results", []):
            nodes.append({"node": r["unique_id"], "status": r.get("status"),
                          "seconds": round(r.get("execution_time") or 0.0, 3),
                          "rows": (r.get("adapter_response") or {}).get("rows_affected"),
                          "message": r.get("message") if r.get("status") in ("error", "fail") else None})
        statuses: dict[str, int] = {}
        for n in nodes:
            statuses[n["status"]] = statuses.get(n["status"], 0) + 1
        nodes.sort(key=lambda n: n["seconds"], reverse=True)
        prof = {"elapsed_time": round(data.get("elapsed_time") or 0.0, 2),
                "nodes": len(nodes), "statuses": statuses,
                "sum_node_seconds": round(sum(n["seconds"] for n in nodes), 2),
                "slowest": nodes[:10],
                "failing": [n for n in nodes if n["status"] in ("error", "fail")]}
        self.profiles[key] = prof
        return prof

    def dbt(self, step: str, label: str, args: list[str], events: Path | None, notes: str = "",
            fresh: bool = False) -> dict:
        if fresh:
            self.fresh_db()
        name = f"{step} [{label}]"
        (self.dbt_target / "run_results.json").unlink(missing_ok=True)  # never profile a stale run
        res = self.run(name, [DBT, *args], self.env(events))
        prof = self.run_results(f"{step} {label}")
        db_mb = round(mb(self.db.stat().st_size), 1) if self.db.exists() else None
        row = self.record(step, label, res, notes, dbt_elapsed=prof.get("elapsed_time"),
                          statuses=prof.get("statuses"), db_mb=db_mb)
        if res["rc"] != 0:
            self.fail(name, res)
            for n in prof.get("failing", [])[:20]:
                print(f"  {n['status']}: {n['node']}: {(n['message'] or '')[:300]}", file=sys.stderr)
        return row

    def table_rows(self, key: str) -> None:
        """Row counts of the tables in the bench file, added to a profile."""
        try:
            import duckdb
            con = duckdb.connect(str(self.db), read_only=True)
            try:
                names = [r[0] for r in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_schema = 'main' and table_type = 'BASE TABLE'").fetchall()]
                counts = {n: con.execute(f'select count(*) from main."{n}"').fetchone()[0] for n in names}
            finally:
                con.close()
        except Exception as exc:  # informative only
            print(f"  (row counts unavailable: {exc})", flush=True)
            return
        prof = self.profiles.get(key)
        if prof is None:
            return
        prof["table_rows"] = counts
        for n in prof["slowest"]:
            if n["rows"] is None:
                n["rows"] = counts.get(n["node"].split(".")[-1])

    def floor(self, label: str) -> dict:
        pattern = str(self.input_dir(label) / "*.ndjson")
        res = self.run(f"floor [{label}]", [sys.executable, "-c", FLOOR, pattern], self.env(None))
        if res["rc"] != 0:
            self.fail(f"floor [{label}]", res)
            raise BenchError("the floor query failed")
        out = last_json(REPO / res["log"])
        return self.record("floor (read_json once)", label, res,
                           f"{out['rows']:,} lines, query {out['query_seconds']:.1f} s, "
                           f"{out['threads']} threads", rows=out["rows"],
                           query_seconds=round(out["query_seconds"], 2))

    def run_all(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        for old in self.logs.glob("*.log"):
            old.unlink()
        print(f"bench ({self.cfg['mode']}): work dir {self.work.relative_to(REPO)}", flush=True)
        self.prepare_data()

        # Parse once so every timed invocation starts from the same partial-parse state.
        parse = self.run("dbt parse (warm-up)", [DBT, "parse"], self.env(None))
        if parse["rc"] != 0:
            self.fail("dbt parse", parse)
            raise BenchError("dbt parse failed")

        fixed = self.dbt("fixed cost: full build", "fixture seed", DBT_BUILD_ARGS, None,
                         "set-up check + dbt start-up", fresh=True)
        if fixed["rc"] != 0:
            raise BenchError("the fixture build failed")

        large = self.cfg["inputs"][-1][0]
        for label, _, _ in self.cfg["inputs"]:
            floor = self.floor(label)
            build = self.dbt("full build", label, DBT_BUILD_ARGS, self.input_dir(label), fresh=True)
            if build["rc"] != 0:
                raise BenchError(f"the {label} build failed")
            growing = build["seconds"] - fixed["seconds"]
            ratio = growing / floor["seconds"] if floor["seconds"] else None
            build["growing_seconds"] = round(growing, 2)
            build["floor_seconds"] = floor["seconds"]
            build["growing_floor_ratio"] = None if ratio is None else round(ratio, 2)
            build["notes"] = (f"growing part {growing:.1f} s = {ratio:.2f} x floor"
                              if ratio is not None else f"growing part {growing:.1f} s")
            build["notes"] += f"; db {build['db_mb']:,.0f} MB" if build.get("db_mb") is not None else ""
            print(f"  -> {build['notes']}", flush=True)
            self.table_rows(f"full build {label}")
        # `dbt test` on the large build (does not change the data), then the next hour on top.
        test = self.dbt("dbt test", large, ["test"], self.input_dir(large))
        st = test.get("statuses") or {}
        test["notes"] = ", ".join(f"{v} {k}" for k, v in sorted(st.items())) or "no run_results"
        inc_label = self.cfg["incremental"][0]
        inc = self.dbt("incremental build", f"{inc_label} on {large}", DBT_BUILD_ARGS,
                       self.input_dir(inc_label),
                       f"{self.inputs[inc_label]['files']} file(s), {self.inputs[inc_label]['mb']:.1f} MB")
        if inc["rc"] != 0:
            raise BenchError("the incremental build failed")

    # -- report -----------------------------------------------------------------

    def find(self, step: str, label: str | None = None) -> dict | None:
        for s in self.steps:
            if s["step"] == step and (label is None or s["input"] == label):
                return s
        return None

    def targets(self) -> list[dict]:
        out = []
        large = self.cfg["inputs"][-1][0]
        for label, _, _ in self.cfg["inputs"]:
            b = self.find("full build", label)
            if b and b.get("growing_floor_ratio") is not None:
                out.append({"name": f"growing part <= 3 x floor ({label})",
                            "value": b["growing_floor_ratio"],
                            "limit": TARGETS["growing_part_max_floor_ratio"],
                            "pass": b["growing_floor_ratio"] <= TARGETS["growing_part_max_floor_ratio"]})
        b = self.find("full build", large)
        if b:
            out.append({"name": f"full build ({large}) < 600 s", "value": b["seconds"],
                        "limit": TARGETS["full_build_large_max_seconds"],
                        "pass": b["seconds"] < TARGETS["full_build_large_max_seconds"]})
        inc = next((s for s in self.steps if s["step"] == "incremental build"), None)
        if inc:
            out.append({"name": "incremental +1 hour < 30 s", "value": inc["seconds"],
                        "limit": TARGETS["incremental_hour_max_seconds"],
                        "pass": inc["seconds"] < TARGETS["incremental_hour_max_seconds"]})
        peaks = [s["peak_mb"] for s in self.steps
                 if s["peak_mb"] is not None and s["step"] != "generate"]
        if peaks:
            out.append({"name": "peak RSS < 4096 MB (every dbt / floor step)", "value": max(peaks),
                        "limit": TARGETS["peak_rss_max_mb"], "pass": max(peaks) < TARGETS["peak_rss_max_mb"]})
        return out

    def report(self, started: float, began_at: str) -> dict:
        rows = [(s["step"], s["input"], "cached" if s["seconds"] is None else f"{s['seconds']:.1f}",
                 "" if s["peak_mb"] is None else f"{s['peak_mb']:,.0f}", s["notes"]) for s in self.steps]
        head = ("step", "input", "seconds", "peak MB", "notes")
        widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(4)]
        line = lambda r: "  ".join([str(r[0]).ljust(widths[0]), str(r[1]).ljust(widths[1]),
                                    str(r[2]).rjust(widths[2]), str(r[3]).rjust(widths[3]), str(r[4])])
        print()
        print(f"Benchmark ({self.cfg['mode']}): {self.cfg['days']} days generated at "
              f"{self.cfg['events_per_day']:,} events/day, seed {SEED}; "
              f"data {self.generation.get('total_mb', 0):,.0f} MB; "
              + "; ".join(f"{k} = arrival hours [{v['arrival_hours'][0]}, {v['arrival_hours'][1]}), "
                          f"{v['mb']:,.0f} MB" for k, v in self.inputs.items()))
        print(line(head))
        print("  ".join("-" * w for w in widths) + "  " + "-" * 5)
        for r in rows:
            print(line(r))

        large = self.cfg["inputs"][-1][0]
        for key, title in ((f"full build {large}", f"full build ({large})"),
                           (f"incremental build {self.cfg['incremental'][0]} on {large}",
                            f"incremental build ({self.cfg['incremental'][0]})")):
            prof = self.profiles.get(key)
            if not prof:
                continue
            print(f"\nProfile, {title}: 10 slowest of {prof['nodes']} nodes "
                  f"(dbt elapsed {prof['elapsed_time']:.1f} s, node times sum to "
                  f"{prof['sum_node_seconds']:.1f} s over 2 threads)")
            for n in prof["slowest"]:
                rows_txt = "" if n["rows"] is None else f"{n['rows']:>12,} rows"
                print(f"  {n['seconds']:8.2f} s  {rows_txt:>17}  {n['node']}")

        targets = self.targets()
        print("\nTargets:")
        for t in targets:
            print(f"  {'PASS' if t['pass'] else 'MISS'}  {t['name']}: {t['value']}")
        if self.errors:
            print("\nErrors:")
            for e in self.errors:
                print(f"  {e}")

        result = {
            "mode": self.cfg["mode"],
            "started_at": began_at,
            "total_seconds": round(time.perf_counter() - started, 1),
            "host": {"cpus": os.cpu_count(), "python": platform.python_version(),
                     "platform": platform.platform()},
            "parameters": {"days_generated": self.cfg["days"], "events_per_day": self.cfg["events_per_day"],
                           "seed": SEED, "start": START, "data_total_mb": self.generation.get("total_mb"),
                           "inputs": self.inputs,
                           "dbt_build_args": DBT_BUILD_ARGS,
                           "generation": {k: v for k, v in self.generation.items() if k != "params"}},
            "steps": self.steps,
            "fixed_cost_seconds": (self.find("fixed cost: full build") or {}).get("seconds"),
            "growing_part": {label: {k: (self.find("full build", label) or {}).get(k)
                                     for k in ("seconds", "growing_seconds", "floor_seconds",
                                               "growing_floor_ratio")}
                             for label, _, _ in self.cfg["inputs"]},
            "profile": self.profiles,
            "targets": targets,
            "errors": self.errors,
            "ok": not self.errors,
        }
        out = self.cfg["json"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nwritten: {out.relative_to(REPO)}")
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m livepeer_analytics.bench",
                                     description="Benchmark the DuckDB build (floor, full, incremental, memory).")
    parser.add_argument("--quick", action="store_true",
                        help="1 day + 1 hour at 20,000 events/day instead of 8 days + 1 hour at 720,000")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    if not Path(DBT).exists():
        print(f"error: no dbt next to {sys.executable}", file=sys.stderr)
        return 2
    bench = Bench(cfg)
    started = time.perf_counter()
    began_at = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        bench.run_all()
    except BenchError as exc:
        bench.errors.append(str(exc))
    except KeyboardInterrupt:
        bench.errors.append("interrupted")
    except Exception as exc:  # a bug or an environment problem: still report what was measured
        traceback.print_exc()
        bench.errors.append(f"unexpected error: {exc!r}")
    bench.report(started, began_at)
    return 1 if bench.errors else 0


if __name__ == "__main__":
    sys.exit(main())
