"""Benchmark the hourly build at production volume, on DuckDB and on chdb.

Run from anywhere (``make bench`` does this, with ``BENCH_ARGS``)::

    python -m livepeer_devtools.bench                  # 9 days generated at 720,000 events/day
    python -m livepeer_devtools.bench --quick          # 2 days generated at 20,000 events/day
    python -m livepeer_devtools.bench --target duckdb  # one engine: duckdb, chdb or both (default)

Work happens under ``<repo>/target/bench/`` (``target/bench/quick/`` with
``--quick``): generated events (``data/all/``, cached while the parameters and
the generator are unchanged), the small input (``data/small/``), one directory
of symlinks per engine and input (``data/in-<engine>-<input>/``), the bench
warehouses (``bench.duckdb``, ``chdb/``), dbt's target and log directories per
engine and one log per step (``logs/``). The results go to
``target/bench.json`` (``--quick``: ``target/bench-quick.json``, so a check
never overwrites a real run).

What is timed is the hourly job, ``python -m livepeer_analytics.build`` (what
``make build`` / ``make run`` run): preflight, the run lock, on chdb the
loader, then ``dbt build`` WITH its data tests, which in a build read only the
rows that run wrote. A run reads only the event files that are new or changed
since a committed run read them, so "+1 hour" is measured as users run it: the
directory the large full build read gains one file and the build runs again.

Each step runs in its own subprocess with an isolated environment, through a
small wrapper whose only child is the measured command, so each step reports
its own wall time and peak RSS (the largest process of the step: dbt with its
in-process DuckDB or chdb, or the loader). Before the first run on each input
an untimed ``dbt parse`` warms dbt's partial parse, as an hourly job finds it.

  generate            python -m livepeer_devtools.generate (skipped when cached).
  Then per engine (DuckDB first), FRESH meaning the warehouse is deleted first:
  small input         the build on a fresh warehouse with 178 lines (the start
                      of the first hour file): set-up and start-up, independent
                      of the volume. Its seconds are the engine's FIXED COST;
  small input, again  the build again, nothing new: an hourly run with no data;
  floor               a fresh in-memory DuckDB reads and parses the input's raw
                      NDJSON once (per input, shared by both engines), timed
                      on the second of two reads (files in the page cache);
  full build          the build on a fresh warehouse, per input (DuckDB: 1 day
                      and 8 days, --quick 1 day; chdb: 1 day).
                      growing part = seconds - fixed cost, compared to the floor;
  On the engine's largest input:
  dbt test (nightly)  python -m livepeer_analytics.build --nightly (``make
                      nightly``): dbt test, every data test over every row;
  +1 hour             the next arrival hour's file joins the input directory
                      and the build runs again on it;
  no new file         the build once more, with nothing new.

Targets (a miss is reported, not an error):
  DuckDB  growing part of each full build <= 10 x floor; small input < 8 s;
          +1 hour < 10 s; peak RSS of every DuckDB step < 4096 MB.
  chdb    full build <= 2 x DuckDB's full build of the same input (when both
          ran); small input < 15 s; +1 hour < 20 s.
The exit status is non-zero only when a command fails (its last lines are
printed). Each dbt run's run_results.json is kept (``run_results-*.json``) and
profiled: the slowest nodes and the thread time spent in models, data tests
and seeds.
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
GENERATOR = REPO / "livepeer_devtools" / "generate.py"

START = "2026-03-01T00:00:00Z"
SEED = 42
ENGINES = ("duckdb", "chdb")
# The hourly job: preflight, run lock, loader (chdb), dbt build with data tests.
BUILD = [sys.executable, "-m", "livepeer_analytics.build"]
# The nightly check (`make nightly`): `dbt test --exclude resource_type:unit_test`,
# every data test over every row, under the same run lock.
NIGHTLY = [*BUILD, "--nightly"]
SMALL_LINES = 178
SMALL_LABEL = f"{SMALL_LINES} lines"

# Per engine: [(input label, first arrival hour, end hour)]. The last input is
# the large one: it also gets the nightly `dbt test`, the profile and the next
# hour on top (arrival hour = its end hour).
FULL = {
    "mode": "full",
    "days": 9,
    "events_per_day": 720_000,
    "inputs": {"duckdb": [("1 day", 0, 24), ("8 days", 0, 192)], "chdb": [("1 day", 0, 24)]},
    "work": REPO / "target" / "bench",
    "json": REPO / "target" / "bench.json",
}
QUICK = {
    "mode": "quick",
    "days": 2,
    "events_per_day": 20_000,
    "inputs": {"duckdb": [("1 day", 0, 24)], "chdb": [("1 day", 0, 24)]},
    "work": REPO / "target" / "bench" / "quick",
    "json": REPO / "target" / "bench-quick.json",
}

TARGETS = {
    "duckdb": {
        "growing_part_max_floor_ratio": 10.0,
        "small_input_max_seconds": 8.0,
        "plus_one_hour_max_seconds": 10.0,
        "peak_rss_max_mb": 4096.0,
    },
    "chdb": {
        "full_build_max_duckdb_ratio": 2.0,
        "small_input_max_seconds": 15.0,
        "plus_one_hour_max_seconds": 20.0,
    },
}

# Runs argv (JSON) as its only child, output to a log file, then prints wall
# time and the largest peak RSS of its waited-for descendants (ru_maxrss of
# RUSAGE_CHILDREN, KiB on Linux).
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

# Row counts of the built tables, on the warehouse of DBT_TARGET.
TABLE_ROWS = r"""
import json
from livepeer_analytics.warehouse import Warehouse, clickhouse_database
w = Warehouse()
if w.target == "duckdb":
    names = [r[0] for r in w.rows("select table_name from information_schema.tables "
                                  "where table_schema = 'main' and table_type = 'BASE TABLE'")]
    counts = {n: w.rows(f'select count(*) from main."{n}"')[0][0] for n in names}
else:
    counts = {n: int(c) for n, c in w.rows(
        f"select name, total_rows from system.tables where database = '{clickhouse_database()}' "
        "and total_rows is not null")}
print(json.dumps(counts))
"""

FILE_RE = re.compile(r"^events-(\d{8}T\d{2})\.ndjson$")
NODE_KINDS = (("model.", "models"), ("test.", "data tests"), ("seed.", "seeds"))


class BenchError(Exception):
    """A step failed for real (a command exited non-zero)."""


def mb(n_bytes: float) -> float:
    return n_bytes / (1024 * 1024)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


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


def dbt_command(engine: str) -> list[str]:
    """dbt for an engine, as make runs it: the project's launcher (livepeer_analytics/dbt_cli.py)."""
    return [sys.executable, "-m", "livepeer_analytics.dbt_cli"]


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


class Bench:
    def __init__(self, cfg: dict, engines: list[str]):
        self.cfg = cfg
        self.engines = engines
        self.work: Path = cfg["work"]
        self.data = self.work / "data"
        self.all_dir = self.data / "all"
        self.small_file = self.data / "small" / "events-small.ndjson"
        self.logs = self.work / "logs"
        self.db = self.work / "bench.duckdb"
        self.chdb = self.work / "chdb"
        self.steps: list[dict] = []
        self.profiles: dict[str, dict] = {}
        self.inputs: dict[str, dict] = {}      # engine -> label -> input directory
        self.next_hour: dict[str, dict] = {}   # engine -> the file "+1 hour" adds
        self.small: dict = {}
        self.floors: dict[str, dict] = {}      # label -> floor step row
        self.generation: dict = {}
        self.errors: list[str] = []
        self.n_logs = 0

    # -- environment and running ------------------------------------------

    def dbt_target(self, engine: str) -> Path:
        return self.work / f"dbt-target-{engine}"

    def env(self, engine: str, events: Path | None) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DBT_", "LIVEPEER_", "CLICKHOUSE_"))}
        env.update({
            "DBT_PROFILES_DIR": str(REPO),
            "DBT_TARGET": engine,
            "DBT_TARGET_PATH": str(self.dbt_target(engine)),
            "DBT_LOG_PATH": str(self.work / f"dbt-logs-{engine}"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "LIVEPEER_DUCKDB": str(self.db),
            "LIVEPEER_CHDB_PATH": str(self.chdb),
            "PYTHONPATH": str(REPO),
        })
        if events is not None:
            env["LIVEPEER_EVENTS"] = str(events)
        return env

    def run(self, name: str, argv: list[str], env: dict) -> dict:
        """Run argv through the wrapper; return rc, seconds, peak_mb, log."""
        self.n_logs += 1
        log = self.logs / f"{self.n_logs:02d}-{slug(name)}.log"
        print(f"  running {name} ...", flush=True)
        proc = subprocess.run([sys.executable, "-c", WRAPPER, json.dumps(argv), str(log)],
                              cwd=REPO, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BenchError(f"{name}: wrapper failed ({proc.returncode}): {proc.stderr.strip()}")
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        return {"rc": res["rc"], "seconds": round(res["seconds"], 2),
                "peak_mb": round(res["maxrss_kb"] / 1024, 1), "log": str(log.relative_to(REPO))}

    def record(self, engine: str, step: str, input_label: str, res: dict, notes: str = "", **extra) -> dict:
        row = {"engine": engine, "step": step, "input": input_label, "seconds": res.get("seconds"),
               "peak_mb": res.get("peak_mb"), "notes": notes, "rc": res.get("rc"),
               "log": res.get("log"), **extra}
        self.steps.append(row)
        secs = "cached" if row["seconds"] is None else f"{row['seconds']:.1f} s"
        print(f"  {engine} {step} [{input_label}]: {secs}"
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
        label = f"{self.cfg['days']} d x {self.cfg['events_per_day']:,}/d"
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
            self.record("", "generate", label, {}, "cached: same parameters and generator")
        else:
            params_file.unlink(missing_ok=True)
            self.small_file.unlink(missing_ok=True)
            self.all_dir.mkdir(parents=True, exist_ok=True)
            argv = [sys.executable, "-m", "livepeer_devtools.generate", "--days", str(params["days"]),
                    "--events-per-day", str(params["events_per_day"]), "--seed", str(SEED),
                    "--out", str(self.all_dir), "--start", START]
            res = self.run("generate", argv, self.env("duckdb", None))
            if res["rc"] != 0:
                self.fail("generate", res)
                raise BenchError("the generator failed")
            summary = last_json(REPO / res["log"])
            params_file.write_text(json.dumps({"params": params, "summary": summary}, indent=2) + "\n")
            self.generation = {"cached": False, "params": params, "summary": summary,
                               "seconds": res["seconds"]}
            self.record("", "generate", label, res,
                        f"{summary['lines']:,} lines, {summary['files']} files")
        self.make_inputs()

    def make_inputs(self) -> None:
        start = dt.datetime.strptime(START, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        by_hour: dict[int, Path] = {}
        for f in self.all_dir.iterdir():
            m = FILE_RE.match(f.name)
            if m:
                t = dt.datetime.strptime(m.group(1), "%Y%m%dT%H").replace(tzinfo=dt.UTC)
                by_hour[int((t - start).total_seconds()) // 3600] = f
        if not by_hour:
            raise BenchError(f"no arrival-hour files in {self.all_dir}")
        total = sum(f.stat().st_size for f in by_hour.values())
        self.generation["total_mb"] = round(mb(total), 1)
        self.generation["arrival_hours"] = [min(by_hour), max(by_hour)]

        # The small input: the first lines of the first hour file, written once.
        if not self.small_file.exists():
            with by_hour[min(by_hour)].open("rb") as src:
                lines = [line for _, line in zip(range(SMALL_LINES), src)]
            if len(lines) != SMALL_LINES:
                raise BenchError(f"the first hour file has {len(lines)} lines, fewer than {SMALL_LINES}")
            self.small_file.parent.mkdir(parents=True, exist_ok=True)
            self.small_file.write_bytes(b"".join(lines))
        self.small = {"file": str(self.small_file.relative_to(REPO)), "lines": SMALL_LINES,
                      "mb": round(mb(self.small_file.stat().st_size), 3)}

        # One directory of symlinks per engine and input (the large one grows by an hour).
        for old in self.data.glob("in-*"):
            shutil.rmtree(old)
        for engine in self.engines:
            self.inputs[engine] = {}
            for label, lo, hi in self.cfg["inputs"][engine]:
                d = self.data / f"in-{engine}-{slug(label)}"
                d.mkdir(parents=True)
                chosen = [by_hour[h] for h in range(lo, hi) if h in by_hour]
                if len(chosen) != hi - lo:
                    raise BenchError(f"input {label}: expected {hi - lo} arrival-hour files, found {len(chosen)}")
                for f in chosen:
                    (d / f.name).symlink_to(os.path.relpath(f, d))
                self.inputs[engine][label] = {"dir": str(d.relative_to(REPO)), "arrival_hours": [lo, hi],
                                              "files": len(chosen),
                                              "mb": round(mb(sum(f.stat().st_size for f in chosen)), 1)}
            hour = self.cfg["inputs"][engine][-1][2]
            if hour not in by_hour:
                raise BenchError(f"no arrival-hour file {hour} for {engine}'s +1 hour")
            self.next_hour[engine] = {"file": by_hour[hour], "arrival_hour": hour,
                                      "mb": round(mb(by_hour[hour].stat().st_size), 1)}
        print(f"  data: {len(by_hour)} arrival-hour files, {mb(total):,.0f} MB in total; small input "
              f"{SMALL_LINES} lines; "
              + "; ".join(f"{label}: {v['files']} files, {v['mb']:,.0f} MB"
                          for label, v in {k: v for e in self.inputs.values() for k, v in e.items()}.items()),
              flush=True)

    def input_dir(self, engine: str, label: str) -> Path:
        return REPO / self.inputs[engine][label]["dir"]

    # -- steps ----------------------------------------------------------------

    def fresh(self, engine: str) -> None:
        """Delete the engine's warehouse."""
        if engine == "duckdb":
            for p in (self.db, self.db.with_name(self.db.name + ".wal")):
                p.unlink(missing_ok=True)
        elif self.chdb.exists():
            shutil.rmtree(self.chdb)

    def warehouse_mb(self, engine: str) -> float | None:
        path = self.db if engine == "duckdb" else self.chdb
        return round(mb(tree_bytes(path)), 1) if path.exists() else None

    def parse(self, engine: str, events: Path) -> None:
        """Untimed: warm dbt's partial parse for this environment, as an hourly run finds it."""
        res = self.run(f"{engine} dbt parse (warm-up)", [*dbt_command(engine), "parse", "--target", engine],
                       self.env(engine, events))
        if res["rc"] != 0:
            self.fail(f"{engine} dbt parse", res)
            raise BenchError(f"{engine}: dbt parse failed")

    def run_results(self, engine: str, key: str) -> dict:
        """Per-node profile of the dbt invocation that just ran."""
        path = self.dbt_target(engine) / "run_results.json"
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return {}
        shutil.copy(path, self.work / f"run_results-{slug(key)}.json")
        nodes = []
        for r in data.get("results", []):
            nodes.append({"node": r["unique_id"], "status": r.get("status"),
                          "seconds": round(r.get("execution_time") or 0.0, 3),
                          "rows": (r.get("adapter_response") or {}).get("rows_affected"),
                          "message": r.get("message") if r.get("status") in ("error", "fail") else None})
        statuses: dict[str, int] = {}
        for n in nodes:
            statuses[n["status"]] = statuses.get(n["status"], 0) + 1
        threads = {kind: 0.0 for _, kind in NODE_KINDS} | {"other": 0.0}
        for n in nodes:
            kind = next((k for prefix, k in NODE_KINDS if n["node"].startswith(prefix)), "other")
            threads[kind] += n["seconds"]
        nodes.sort(key=lambda n: n["seconds"], reverse=True)
        prof = {"elapsed_time": round(data.get("elapsed_time") or 0.0, 2),
                "nodes": len(nodes), "statuses": statuses,
                "sum_node_seconds": round(sum(n["seconds"] for n in nodes), 2),
                "thread_seconds": {k: round(v, 2) for k, v in threads.items()},
                "slowest": nodes[:10],
                "failing": [n for n in nodes if n["status"] in ("error", "fail")]}
        self.profiles[key] = prof
        return prof

    def dbt(self, engine: str, step: str, label: str, argv: list[str], events: Path,
            notes: str = "", fresh: bool = False) -> dict:
        """A timed dbt invocation (the build command or dbt itself), profiled from run_results.json."""
        if fresh:
            self.fresh(engine)
        key = f"{engine} {step} [{label}]"
        (self.dbt_target(engine) / "run_results.json").unlink(missing_ok=True)  # never profile a stale run
        res = self.run(key, argv, self.env(engine, events))
        prof = self.run_results(engine, key)
        row = self.record(engine, step, label, res, notes, dbt_elapsed=prof.get("elapsed_time"),
                          statuses=prof.get("statuses"), db_mb=self.warehouse_mb(engine))
        if res["rc"] != 0:
            self.fail(key, res)
            for n in prof.get("failing", [])[:20]:
                print(f"  {n['status']}: {n['node']}: {(n['message'] or '')[:300]}", file=sys.stderr)
        return row

    def table_rows(self, engine: str, key: str) -> None:
        """Row counts of the built tables (informative), added to a profile."""
        proc = subprocess.run([sys.executable, "-c", TABLE_ROWS], cwd=REPO, env=self.env(engine, None),
                              capture_output=True, text=True)
        prof = self.profiles.get(key)
        if proc.returncode != 0 or prof is None:
            print(f"  (row counts unavailable: {proc.stderr.strip().splitlines()[-1:]})", flush=True)
            return
        counts = json.loads(proc.stdout.strip().splitlines()[-1])
        prof["table_rows"] = counts
        for n in prof["slowest"]:
            if n["rows"] is None:
                n["rows"] = counts.get(n["node"].split(".")[-1])

    def floor(self, label: str, directory: Path) -> dict:
        """DuckDB reads the input once: measured once per input, shared by both engines."""
        if label in self.floors:
            return self.floors[label]
        # the first read warms the page cache (untimed): the floor is a warm read, like the builds' reads
        argv = [sys.executable, "-c", FLOOR, str(directory / "*.ndjson")]
        cold = self.run(f"floor [{label}] (cache warm-up)", argv, self.env("duckdb", None))
        res = self.run(f"floor [{label}]", argv, self.env("duckdb", None)) if cold["rc"] == 0 else cold
        if res["rc"] != 0:
            self.fail(f"floor [{label}]", res)
            raise BenchError("the floor query failed")
        out = last_json(REPO / res["log"])
        self.floors[label] = self.record(
            "duckdb", "floor (DuckDB read_json once)", label, res,
            f"{out['rows']:,} lines, query {out['query_seconds']:.1f} s, {out['threads']} threads",
            rows=out["rows"], query_seconds=round(out["query_seconds"], 2))
        return self.floors[label]

    def run_engine(self, engine: str) -> None:
        small = self.small_file
        self.parse(engine, small)
        fixed = self.dbt(engine, "small input", SMALL_LABEL, BUILD, small,
                         "fresh; fixed cost: set-up and start-up", fresh=True)
        if fixed["rc"] != 0:
            raise BenchError(f"{engine}: the small-input build failed")
        self.dbt(engine, "small input, again", SMALL_LABEL, BUILD, small, "no new data")

        inputs = self.cfg["inputs"][engine]
        for label, _, _ in inputs:
            directory = self.input_dir(engine, label)
            floor = self.floor(label, directory)
            self.parse(engine, directory)
            build = self.dbt(engine, "full build", label, BUILD, directory, fresh=True)
            if build["rc"] != 0:
                raise BenchError(f"{engine}: the {label} build failed")
            growing = build["seconds"] - fixed["seconds"]
            ratio = growing / floor["seconds"] if floor["seconds"] else None
            build["growing_seconds"] = round(growing, 2)
            build["floor_seconds"] = floor["seconds"]
            build["growing_floor_ratio"] = None if ratio is None else round(ratio, 2)
            build["notes"] = (f"fresh; growing part {growing:.1f} s"
                              + ("" if ratio is None else f" = {ratio:.2f} x floor")
                              + ("" if build["db_mb"] is None else f"; warehouse {build['db_mb']:,.0f} MB"))
            print(f"  -> {build['notes']}", flush=True)
            self.table_rows(engine, f"{engine} full build [{label}]")

        # On the largest build: the nightly suite, then one more file, then none.
        large = inputs[-1][0]
        directory = self.input_dir(engine, large)
        test = self.dbt(engine, "dbt test (nightly)", large, NIGHTLY, directory)
        test["notes"] = ", ".join(f"{v} {k}" for k, v in sorted((test.get("statuses") or {}).items())) \
            or "no run_results"
        nxt = self.next_hour[engine]
        (directory / nxt["file"].name).symlink_to(os.path.relpath(nxt["file"], directory))
        grown = f"{large} + 1 file"
        inc = self.dbt(engine, "+1 hour", grown, BUILD, directory,
                       f"{nxt['file'].name}, {nxt['mb']:.1f} MB")
        if inc["rc"] != 0:
            raise BenchError(f"{engine}: the +1 hour build failed")
        self.dbt(engine, "no new file", grown, BUILD, directory, "same directory, nothing new")

    def run_all(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        for old in [*self.logs.glob("*.log"), *self.work.glob("run_results-*.json")]:
            old.unlink()
        print(f"bench ({self.cfg['mode']}, {', '.join(self.engines)}): work dir "
              f"{self.work.relative_to(REPO)}", flush=True)
        self.prepare_data()
        for engine in self.engines:
            print(f"\n{engine}:", flush=True)
            try:
                self.run_engine(engine)
            except BenchError as exc:  # the other engine still runs
                self.errors.append(str(exc))

    # -- report -----------------------------------------------------------------

    def find(self, engine: str, step: str, label: str | None = None) -> dict | None:
        """The step's row if it succeeded."""
        for s in self.steps:
            if (s["engine"] == engine and s["step"] == step and (label is None or s["input"] == label)
                    and s["rc"] == 0):
                return s
        return None

    def targets(self) -> list[dict]:
        out = []

        def add(engine: str, name: str, value: float, limit: float, ok: bool) -> None:
            out.append({"engine": engine, "name": name, "value": value, "limit": limit, "pass": ok})

        if "duckdb" in self.engines:
            t = TARGETS["duckdb"]
            for label, _, _ in self.cfg["inputs"]["duckdb"]:
                b = self.find("duckdb", "full build", label)
                if b and b.get("growing_floor_ratio") is not None:
                    limit = t["growing_part_max_floor_ratio"]
                    add("duckdb", f"growing part <= {limit:g} x floor ({label})", b["growing_floor_ratio"],
                        limit, b["growing_floor_ratio"] <= limit)
            for step, key in (("small input", "small_input_max_seconds"),
                              ("+1 hour", "plus_one_hour_max_seconds")):
                s = self.find("duckdb", step)
                if s:
                    add("duckdb", f"{step} < {t[key]:g} s", s["seconds"], t[key], s["seconds"] < t[key])
            peaks = [s["peak_mb"] for s in self.steps if s["engine"] == "duckdb" and s["peak_mb"] is not None]
            if peaks:
                limit = t["peak_rss_max_mb"]
                add("duckdb", f"peak RSS < {limit:g} MB (every DuckDB step)", max(peaks), limit,
                    max(peaks) < limit)
        if "chdb" in self.engines:
            t = TARGETS["chdb"]
            for label, _, _ in self.cfg["inputs"]["chdb"]:
                c, d = self.find("chdb", "full build", label), self.find("duckdb", "full build", label)
                if c and d:
                    limit = t["full_build_max_duckdb_ratio"]
                    ratio = round(c["seconds"] / d["seconds"], 2)
                    add("chdb", f"full build ({label}) <= {limit:g} x DuckDB's", ratio, limit, ratio <= limit)
            for step, key in (("small input", "small_input_max_seconds"),
                              ("+1 hour", "plus_one_hour_max_seconds")):
                s = self.find("chdb", step)
                if s:
                    add("chdb", f"{step} < {t[key]:g} s", s["seconds"], t[key], s["seconds"] < t[key])
        return out

    def print_table(self) -> None:
        head = ("engine", "step", "input", "seconds", "peak MB", "notes")
        rows = [(s["engine"], s["step"], s["input"],
                 "cached" if s["seconds"] is None else f"{s['seconds']:.1f}",
                 "" if s["peak_mb"] is None else f"{s['peak_mb']:,.0f}", s["notes"]) for s in self.steps]
        widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(5)]
        just = (str.ljust, str.ljust, str.ljust, str.rjust, str.rjust)

        def line(r: tuple) -> str:
            return "  ".join([*(j(str(c), w) for j, c, w in zip(just, r, widths)), str(r[5])])

        print(line(head))
        print("  ".join("-" * w for w in widths) + "  " + "-" * 5)
        for r in rows:
            print(line(r))

    def print_profiles(self) -> None:
        for engine in self.engines:
            large = self.cfg["inputs"][engine][-1][0]
            for key in (f"{engine} full build [{large}]", f"{engine} +1 hour [{large} + 1 file]"):
                prof = self.profiles.get(key)
                if not prof:
                    continue
                print(f"\nProfile, {key}: 10 slowest of {prof['nodes']} nodes "
                      f"(dbt elapsed {prof['elapsed_time']:.1f} s, node times sum to "
                      f"{prof['sum_node_seconds']:.1f} s)")
                for n in prof["slowest"]:
                    rows_txt = "" if n["rows"] is None else f"{n['rows']:>12,} rows"
                    print(f"  {n['seconds']:8.2f} s  {rows_txt:>17}  {n['node']}")

        kinds = [k for _, k in NODE_KINDS]
        for engine in self.engines:
            keyed = [(f"{s['step']} [{s['input']}]", self.profiles[k]) for s in self.steps
                     if s["engine"] == engine
                     and (k := f"{engine} {s['step']} [{s['input']}]") in self.profiles]
            if not keyed:
                continue
            width = max(len(name) for name, _ in keyed)
            print(f"\nThread time, {engine} (sum of node execution_time, s):")
            print(f"  {'step':<{width}}  " + "  ".join(f"{k:>10}" for k in [*kinds, "dbt elapsed"]))
            for name, prof in keyed:
                print(f"  {name:<{width}}  "
                      + "  ".join(f"{prof['thread_seconds'][k]:>10.1f}" for k in kinds)
                      + f"  {prof['elapsed_time']:>10.1f}")

    def report(self, started: float, began_at: str) -> dict:
        print()
        print(f"Benchmark ({self.cfg['mode']}): {self.cfg['days']} days generated at "
              f"{self.cfg['events_per_day']:,} events/day, seed {SEED}; "
              f"data {self.generation.get('total_mb', 0):,.0f} MB; small input {SMALL_LINES} lines; "
              + "; ".join(f"{engine} {k} = arrival hours [{v['arrival_hours'][0]}, {v['arrival_hours'][1]}), "
                          f"{v['mb']:,.0f} MB" for engine, e in self.inputs.items() for k, v in e.items()))
        self.print_table()
        self.print_profiles()

        targets = self.targets()
        print("\nTargets:")
        for t in targets:
            print(f"  {'PASS' if t['pass'] else 'MISS'}  {t['engine']}: {t['name']}: {t['value']}")
        if self.errors:
            print("\nErrors:")
            for e in self.errors:
                print(f"  {e}")

        result = {
            "mode": self.cfg["mode"],
            "engines": self.engines,
            "started_at": began_at,
            "total_seconds": round(time.perf_counter() - started, 1),
            "host": {"cpus": os.cpu_count(), "python": platform.python_version(),
                     "platform": platform.platform()},
            "parameters": {"days_generated": self.cfg["days"], "events_per_day": self.cfg["events_per_day"],
                           "seed": SEED, "start": START, "data_total_mb": self.generation.get("total_mb"),
                           "small_input": self.small,
                           "inputs": self.inputs,
                           "next_hour": {e: {k: (v.name if isinstance(v, Path) else v) for k, v in h.items()}
                                         for e, h in self.next_hour.items()},
                           "build_command": [Path(BUILD[0]).name, *BUILD[1:]],
                           "nightly_command": [Path(NIGHTLY[0]).name, *NIGHTLY[1:]],
                           "generation": {k: v for k, v in self.generation.items() if k != "params"}},
            "steps": self.steps,
            "fixed_cost_seconds": {e: (self.find(e, "small input") or {}).get("seconds") for e in self.engines},
            "growing_part": {e: {label: {k: (self.find(e, "full build", label) or {}).get(k)
                                         for k in ("seconds", "growing_seconds", "floor_seconds",
                                                   "growing_floor_ratio")}
                                 for label, _, _ in self.cfg["inputs"][e]}
                             for e in self.engines},
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
    parser = argparse.ArgumentParser(prog="python -m livepeer_devtools.bench",
                                     description="Benchmark the hourly build (small input, full builds, "
                                                 "+1 hour, nightly tests, memory) on DuckDB and chdb.")
    parser.add_argument("--quick", action="store_true",
                        help="2 days generated at 20,000 events/day, full builds of 1 day only")
    parser.add_argument("--target", choices=("duckdb", "chdb", "both"), default="both",
                        help="the engine(s) to benchmark (default both, DuckDB first)")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    engines = list(ENGINES) if args.target == "both" else [args.target]
    if not Path(DBT).exists():
        print(f"error: no dbt next to {sys.executable}", file=sys.stderr)
        return 2
    bench = Bench(cfg, engines)
    started = time.perf_counter()
    began_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
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
