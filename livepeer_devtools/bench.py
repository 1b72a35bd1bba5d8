"""Benchmark the hourly build at production volume, on DuckDB and on chdb.

Run from anywhere (``make bench`` does this, with ``BENCH_ARGS``)::

    python -m livepeer_devtools.bench                  # 9 days generated at 720,000 events/day
    python -m livepeer_devtools.bench --quick          # 2 days generated at 20,000 events/day
    python -m livepeer_devtools.bench --target duckdb  # one engine: duckdb, chdb or both (default)

Work happens under ``<repo>/target/bench/`` (``target/bench/quick/`` with
``--quick``): generated events (``data/all/``, cached while the parameters and
the generator are unchanged), the small input (``data/small/``), the +1
minute files (``data/minute/``), one directory of symlinks per engine and
input (``data/in-<engine>-<input>/``), the bench
warehouses (``bench.duckdb``, ``chdb/``), dbt's target and log directories per
engine and one log per step (``logs/``). The results go to
``target/bench.json`` (``--quick``: ``target/bench-quick.json``, so a check
never overwrites a real run).

What is timed is the hourly job, ``python -m livepeer_analytics.build`` (what
``make build`` / ``make run`` run): preflight, the run lock, the nothing-new
check, on chdb the loader, then ``dbt build`` WITH its data tests, which in a
build read only the rows that run wrote. A run reads only the event files that
are new or changed since a committed run read them, so "+1 hour" and "+1
minute" are measured as users run them: the directory the full build read
gains one file and the build runs again.

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
  small input, again  the build again: nothing new, an hourly run with no data;
  floor               a fresh in-memory DuckDB reads and parses the input's raw
                      NDJSON once (per input, shared by both engines), timed
                      on the second of two reads (files in the page cache);
  Then per input (DuckDB: 1 day and 8 days, --quick 1 day; chdb: 1 day):
  full build          the build on a fresh warehouse;
                      growing part = seconds - fixed cost, compared to the floor;
  dbt test (nightly)  on the engine's largest input only: ``--nightly`` (``make
                      nightly``), dbt test, every data test over every row;
  +1 hour             the next arrival-hour file (hour index = the input's
                      end) joins the input directory, the build runs again;
  +1 minute           the first 1/60 of the lines of the hour file after that
                      (written once, ``data/minute/``) joins it too, a build;
  nothing new         the build once more, nothing changed: it stops at its
                      nothing-new check, dbt not started.
  Input labels say what the directory holds: "1 day + 1 hour + 1 minute".

Phases: a build that starts dbt (or the loader) ends its output with
``run: 12.3 s (start 2.0, checks 0.1, dbt set-up 4.0, nodes 5.5, ...)``; each
step keeps that line as ``phases`` (seconds per phase, None without it) and
``nothing_new`` (the build printed "nothing new since the last successful
run"); the report prints a Phases section.

Targets (a miss is reported, not an error):
  DuckDB  nothing new (every "nothing new" and "small input, again") <= 2 s;
          +1 minute on 8 days <= 8 s; +1 hour on 8 days <= 12 s (only when the
          8-day input ran: not with --quick); growing part of every full build
          <= 20 x floor; peak RSS of every DuckDB step < 4096 MB.
  chdb    nothing new <= 2 s; +1 minute on 1 day <= 15 s; +1 hour on 1 day <= 18 s.
The exit status is non-zero only when a command fails (its last lines are
printed). Each dbt run's run_results.json is kept (``run_results-*.json``) and
profiled: the slowest nodes of the largest full build and of every +1 hour and
+1 minute, and the thread time spent in models, data tests and seeds.
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

# Per engine: [(input label, first arrival hour, end hour)]. Every input gets the next hour (arrival
# hour = its end hour), then the first minute of the hour after (end + 1), then a nothing-new run; the
# last input is the large one: it also gets the nightly `dbt test` and the full build's profile.
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

# "step_max_seconds": {step: {input: limit}}, reported only when that input ran.
TARGETS = {
    "duckdb": {
        "nothing_new_max_seconds": 2.0,
        "step_max_seconds": {"+1 minute": {"8 days": 8.0}, "+1 hour": {"8 days": 12.0}},
        "growing_part_max_floor_ratio": 20.0,
        "peak_rss_max_mb": 4096.0,
    },
    "chdb": {
        "nothing_new_max_seconds": 2.0,
        "step_max_seconds": {"+1 minute": {"1 day": 15.0}, "+1 hour": {"1 day": 18.0}},
    },
}
# The steps whose build should find nothing new (dbt not started).
NOTHING_NEW_STEPS = ("small input, again", "nothing new")

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
# The build's last line when it ran dbt or the loader: `run: 12.3 s (start 2.0, dbt set-up 4.0, ...)`.
RUN_RE = re.compile(r"^run: (\d+(?:\.\d+)?) s \((.*)\)\s*$")
PHASE_RE = re.compile(r"^(.+?) (\d+(?:\.\d+)?)$")
# The build's only line when nothing is new (dbt not started).
NOTHING_NEW = "nothing new since the last successful run"
# The order of the Phases section's columns (a name not listed goes last).
PHASE_ORDER = ("start", "checks", "raw table", "load", "dbt set-up", "nodes", "dbt wrap-up", "close", "record")


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


def parse_build_log(text: str) -> tuple[dict[str, float] | None, bool]:
    """The phases of the build's last `run: ... s (...)` line (None without one), and whether it found
    nothing new."""
    lines = [line.strip() for line in re.split(r"[\r\n]+", text)]
    nothing_new = any(line.startswith(NOTHING_NEW) for line in lines)
    for line in reversed(lines):
        m = RUN_RE.match(line)
        if m:
            phases = {}
            for part in m.group(2).split(", "):
                pm = PHASE_RE.match(part.strip())
                if pm:
                    phases[pm.group(1)] = float(pm.group(2))
            return phases or None, nothing_new
    return None, nothing_new


def phases_text(phases: dict[str, float] | None) -> str:
    return "" if not phases else "phases: " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items())


def join_notes(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def plus_hour(label: str) -> str:
    return f"{label} + 1 hour"


def plus_minute(label: str) -> str:
    return f"{label} + 1 hour + 1 minute"


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


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
        self.minute_dir = self.data / "minute"
        self.logs = self.work / "logs"
        self.db = self.work / "bench.duckdb"
        self.chdb = self.work / "chdb"
        self.steps: list[dict] = []
        self.profiles: dict[str, dict] = {}
        self.inputs: dict[str, dict] = {}      # engine -> label -> input directory
        self.next_hour: dict[str, dict] = {}   # engine -> input label -> the file "+1 hour" adds
        self.next_minute: dict[str, dict] = {}  # engine -> input label -> the file "+1 minute" adds
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
            shutil.rmtree(self.minute_dir, ignore_errors=True)  # cut from the old files
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

        # Every input needs its next hour (end) and the hour after (end + 1, cut to its first minute).
        for engine in self.engines:
            for label, lo, hi in self.cfg["inputs"][engine]:
                missing = [h for h in (*range(lo, hi), hi, hi + 1) if h not in by_hour]
                if missing:
                    raise BenchError(
                        f"{engine} input {label}: arrival hours [{lo}, {hi}) plus {hi} (+1 hour) and {hi + 1} "
                        f"(+1 minute) are needed; missing {len(missing)} file(s), hours {missing[:10]} "
                        f"(generated: hours {min(by_hour)}..{max(by_hour)} in {self.all_dir.relative_to(REPO)})")

        # One directory of symlinks per engine and input (each grows by an hour and a minute).
        for old in self.data.glob("in-*"):
            shutil.rmtree(old)
        for engine in self.engines:
            self.inputs[engine], self.next_hour[engine], self.next_minute[engine] = {}, {}, {}
            for label, lo, hi in self.cfg["inputs"][engine]:
                d = self.data / f"in-{engine}-{slug(label)}"
                d.mkdir(parents=True)
                chosen = [by_hour[h] for h in range(lo, hi)]
                for f in chosen:
                    (d / f.name).symlink_to(os.path.relpath(f, d))
                self.inputs[engine][label] = {"dir": str(d.relative_to(REPO)), "arrival_hours": [lo, hi],
                                              "files": len(chosen),
                                              "mb": round(mb(sum(f.stat().st_size for f in chosen)), 1)}
                hour = by_hour[hi]
                self.next_hour[engine][label] = {"file": hour, "arrival_hour": hi, "lines": count_lines(hour),
                                                 "mb": round(mb(hour.stat().st_size), 3)}
                minute = self.minute_file(by_hour[hi + 1])
                self.next_minute[engine][label] = {"file": minute, "source": by_hour[hi + 1].name,
                                                   "arrival_hour": hi + 1, "lines": count_lines(minute),
                                                   "mb": round(mb(minute.stat().st_size), 3)}
        print(f"  data: {len(by_hour)} arrival-hour files, {mb(total):,.0f} MB in total; small input "
              f"{SMALL_LINES} lines; "
              + "; ".join(f"{label}: {v['files']} files, {v['mb']:,.0f} MB"
                          for label, v in {k: v for e in self.inputs.values() for k, v in e.items()}.items()),
              flush=True)

    def minute_file(self, hour_file: Path) -> Path:
        """The first 1/60 of an arrival-hour file's lines (at least one), written once."""
        out = self.minute_dir / f"minute-{hour_file.stem}.ndjson"
        if not out.exists():
            with hour_file.open("rb") as f:
                lines = f.readlines()
            if not lines:
                raise BenchError(f"{hour_file} is empty: no first minute for +1 minute")
            chosen = lines[:max(1, len(lines) // 60)]
            if not chosen[-1].endswith(b"\n"):
                chosen[-1] += b"\n"
            self.minute_dir.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(".tmp")
            tmp.write_bytes(b"".join(chosen))
            tmp.replace(out)
        return out

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
        """A timed run of the build command, profiled from run_results.json (absent when dbt did not
        run) and its log: the phases of its `run: ...` line, or that it found nothing new."""
        if fresh:
            self.fresh(engine)
        key = f"{engine} {step} [{label}]"
        (self.dbt_target(engine) / "run_results.json").unlink(missing_ok=True)  # never profile a stale run
        res = self.run(key, argv, self.env(engine, events))
        prof = self.run_results(engine, key)
        try:
            phases, nothing_new = parse_build_log((REPO / res["log"]).read_text(errors="replace"))
        except OSError:
            phases, nothing_new = None, False
        if nothing_new:
            notes = "nothing new: dbt not started"
        elif step in NOTHING_NEW_STEPS:
            notes = join_notes(notes, "NOT nothing new: the build started dbt")
        row = self.record(engine, step, label, res, join_notes(notes, phases_text(phases)),
                          dbt_elapsed=prof.get("elapsed_time"), statuses=prof.get("statuses"),
                          db_mb=self.warehouse_mb(engine), nothing_new=nothing_new, phases=phases)
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
        self.dbt(engine, "small input, again", SMALL_LABEL, BUILD, small)

        inputs = self.cfg["inputs"][engine]
        large = inputs[-1][0]
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
            build["notes"] = join_notes(
                f"fresh; growing part {growing:.1f} s" + ("" if ratio is None else f" = {ratio:.2f} x floor")
                + ("" if build["db_mb"] is None else f"; warehouse {build['db_mb']:,.0f} MB"),
                phases_text(build["phases"]))
            print(f"  -> {build['notes']}", flush=True)
            self.table_rows(engine, f"{engine} full build [{label}]")
            if label == large:  # the nightly suite over every row of the largest build
                test = self.dbt(engine, "dbt test (nightly)", label, NIGHTLY, directory)
                test["notes"] = join_notes(
                    ", ".join(f"{v} {k}" for k, v in sorted((test.get("statuses") or {}).items()))
                    or "no run_results", phases_text(test["phases"]))
            self.increments(engine, label, directory)

    def add_file(self, directory: Path, file: Path) -> None:
        (directory / file.name).symlink_to(os.path.relpath(file, directory))

    def increments(self, engine: str, label: str, directory: Path) -> None:
        """On a full build: one more arrival hour, then the first minute of the next, then nothing new."""
        hour = self.next_hour[engine][label]
        self.add_file(directory, hour["file"])
        inc = self.dbt(engine, "+1 hour", plus_hour(label), BUILD, directory,
                       f"{hour['file'].name}, {hour['lines']:,} lines, {hour['mb']:.1f} MB")
        if inc["rc"] != 0:
            return  # reported by dbt(); the next input still runs
        minute = self.next_minute[engine][label]
        self.add_file(directory, minute["file"])
        inc = self.dbt(engine, "+1 minute", plus_minute(label), BUILD, directory,
                       f"{minute['file'].name}, {minute['lines']:,} lines, {minute['mb']:.2f} MB")
        if inc["rc"] != 0:
            return
        self.dbt(engine, "nothing new", plus_minute(label), BUILD, directory)

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

        for engine in self.engines:
            t = TARGETS[engine]
            limit = t["nothing_new_max_seconds"]
            for s in self.steps:
                if s["engine"] == engine and s["step"] in NOTHING_NEW_STEPS and s["rc"] == 0:
                    add(engine, f"{s['step']} [{s['input']}] <= {limit:g} s", s["seconds"], limit,
                        s["seconds"] <= limit)
            for step, limits in t["step_max_seconds"].items():
                for label, limit in limits.items():
                    grown = plus_hour(label) if step == "+1 hour" else plus_minute(label)
                    s = self.find(engine, step, grown)
                    if s:  # only when that input ran (not the 8-day input with --quick)
                        add(engine, f"{step} [{grown}] <= {limit:g} s", s["seconds"], limit, s["seconds"] <= limit)
            if "growing_part_max_floor_ratio" in t:
                limit = t["growing_part_max_floor_ratio"]
                for label, _, _ in self.cfg["inputs"][engine]:
                    b = self.find(engine, "full build", label)
                    if b and b.get("growing_floor_ratio") is not None:
                        add(engine, f"growing part <= {limit:g} x floor ({label})", b["growing_floor_ratio"],
                            limit, b["growing_floor_ratio"] <= limit)
            if "peak_rss_max_mb" in t:
                limit = t["peak_rss_max_mb"]
                peaks = [s["peak_mb"] for s in self.steps if s["engine"] == engine and s["peak_mb"] is not None]
                if peaks:
                    add(engine, f"peak RSS < {limit:g} MB (every {engine} step)", max(peaks), limit,
                        max(peaks) < limit)
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

    def print_phases(self) -> None:
        """One line per step whose build printed its phases: engine, step, input, then each phase."""
        rows = [s for s in self.steps if s.get("phases")]
        if not rows:
            return
        names = [n for n in PHASE_ORDER if any(n in s["phases"] for s in rows)]
        names += [n for s in rows for n in s["phases"] if n not in names and n not in PHASE_ORDER]
        names = list(dict.fromkeys(names))
        head = ("engine", "step", "input", *names)
        table = [(s["engine"], s["step"], s["input"],
                  *("" if n not in s["phases"] else f"{s['phases'][n]:.1f}" for n in names)) for s in rows]
        widths = [max(len(r[i]) for r in [head, *table]) for i in range(len(head))]
        print("\nPhases (s, from the build's last line `run: ... s (...)`):")
        for r in [head, *table]:
            print("  " + "  ".join(c.ljust(w) if i < 3 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(r, widths))).rstrip())

    def print_profiles(self) -> None:
        for engine in self.engines:
            large = self.cfg["inputs"][engine][-1][0]
            keys = [f"{engine} full build [{large}]"]
            keys += [f"{engine} {s['step']} [{s['input']}]" for s in self.steps
                     if s["engine"] == engine and s["step"] in ("+1 hour", "+1 minute")]
            for key in keys:
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

    @staticmethod
    def added_files(files: dict) -> dict:
        """engine -> input -> the added file's facts, paths relative to the repository."""
        return {e: {label: {k: (str(v.relative_to(REPO)) if isinstance(v, Path) else v) for k, v in f.items()}
                    for label, f in by_label.items()}
                for e, by_label in files.items()}

    def report(self, started: float, began_at: str) -> dict:
        print()
        print(f"Benchmark ({self.cfg['mode']}): {self.cfg['days']} days generated at "
              f"{self.cfg['events_per_day']:,} events/day, seed {SEED}; "
              f"data {self.generation.get('total_mb', 0):,.0f} MB; small input {SMALL_LINES} lines; "
              + "; ".join(f"{engine} {k} = arrival hours [{v['arrival_hours'][0]}, {v['arrival_hours'][1]}), "
                          f"{v['mb']:,.0f} MB" for engine, e in self.inputs.items() for k, v in e.items()))
        self.print_table()
        self.print_phases()
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
                           "next_hour": self.added_files(self.next_hour),
                           "next_minute": self.added_files(self.next_minute),
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
            "incremental": {e: {label: {step: (self.find(e, step, grown) or {}).get("seconds")
                                        for step, grown in (("+1 hour", plus_hour(label)),
                                                            ("+1 minute", plus_minute(label)),
                                                            ("nothing new", plus_minute(label)))}
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
                                                 "+1 hour, +1 minute, nothing new, nightly tests, "
                                                 "phases, memory) on DuckDB and chdb.")
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
