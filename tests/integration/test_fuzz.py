"""Property-based fuzzing: well-formed events with wrong-typed fields never break a build.

A fuzz run draws LIVEPEER_FUZZ_EXAMPLES examples per engine, each a few dozen
fuzz envelopes (tests/integration/_fuzz_events.py), numbered apart (their
event ids, streams, wallets and GPUs carry the example's number). The real
fixture events (prod snapshot + the 2026-01-08 stream) with every example's
envelopes interleaved at random positions are built together, in ONE
`make build` (dbt build WITH its data tests) per engine, and checked:

- the build succeeds;
- every line is accounted for: delivered = lines in the file, accepted +
  duplicates + quarantined = delivered, accepted = real events + fuzz
  envelopes, and per example: each of its envelopes accepted once, none
  quarantined (each is well formed);
- the real sessions' rows in fct_workflow_sessions, fct_status_samples and
  fct_payments equal those of a build of the real events alone (the `real`
  build of the matrix, on DuckDB);
- the serving views hold no NaN or infinity, no negative number, ratios in
  [0, 1] and sla_score in [0, 100];
- each view's additive columns sum to the same quantity computed from the facts.

When a property breaks, each example is built again alone (with the real
events) to name the ones that break it; their input is saved under
target/fuzz-failures/ (the whole file, and its fuzz lines alone).

Budget: LIVEPEER_FUZZ_EXAMPLES examples per engine (default 3, fixed seed, so
`make test` is reproducible). A larger budget or LIVEPEER_FUZZ_SEED runs from
that (or a random) seed, printed and named in every failure. `make fuzz` runs
25 examples per engine.
"""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from _fuzz_events import FuzzBatch, event_id_prefix, fuzz_batches
from _matrix import real_lines
from _support import (
    ENGINES,
    MART_GRAINS,
    PROD_EVENTS,
    REPO_ROOT,
    STREAM_2026_01_08_EVENTS,
    assert_tables_equal,
    dump_models,
    engine_env,
    make,
    offer_parse,
    query_engine,
    require_engine,
    require_fixture,
)

pytestmark = pytest.mark.slow

DEFAULT_EXAMPLES = 3
EXAMPLES = int(os.environ.get("LIVEPEER_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
if os.environ.get("LIVEPEER_FUZZ_SEED"):
    SEED: int | None = int(os.environ["LIVEPEER_FUZZ_SEED"])
elif EXAMPLES > DEFAULT_EXAMPLES:
    SEED = random.SystemRandom().randrange(2**32)
else:
    SEED = None  # derandomized: the same examples on every run
SEED_NOTE = (
    f"fuzz seed: derandomized, {EXAMPLES} examples per engine"
    if SEED is None
    else f"fuzz seed {SEED}, {EXAMPLES} examples per engine "
    f"(reproduce: LIVEPEER_FUZZ_SEED={SEED} LIVEPEER_FUZZ_EXAMPLES={EXAMPLES})"
)
print(SEED_NOTE, file=sys.stderr)

FAILURES_DIR = REPO_ROOT / "target" / "fuzz-failures"
FACTS = ["fct_workflow_sessions", "fct_status_samples", "fct_payments"]
VIEWS = ["v_api_gpu_metrics", "v_api_network_demand", "v_api_sla_compliance"]
# Grain (dimension) columns of the views; every other column is numeric.
DIMENSIONS = {"window_start", "orchestrator_address", "pipeline", "model_id", "gpu_id", "region", "gateway"}
RATIOS = {"success_ratio", "no_swap_ratio", "failure_rate", "swap_rate"}
REL_TOL = 1e-9


# ------------------------------------------------------------ baseline


@dataclass(repr=False)
class Baseline:
    engine: str
    real_lines: list[bytes]
    real_accepted: int
    facts: dict
    view_columns: dict
    work_root: Path

    def __repr__(self) -> str:  # short: hypothesis prints it for a failing example
        return f"Baseline({self.engine}, {len(self.real_lines)} real events)"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))


@pytest.fixture(scope="module", params=ENGINES)
def baseline(request, matrix, tmp_path_factory) -> Baseline:
    """The rows no fuzz may change: the real events alone, built on DuckDB (both engines give the
    same rows: test_cross_engine.py)."""
    engine = request.param
    require_engine(engine)
    require_fixture(PROD_EVENTS)
    require_fixture(STREAM_2026_01_08_EVENTS)
    real = matrix("duckdb", "real")
    lines = real_lines()
    dumped = real.dump(*FACTS, *VIEWS, "dq_event_summary")
    summary = _summary_totals(dumped["dq_event_summary"])
    assert summary["accepted_events"] == len(lines), summary
    for model in FACTS:
        assert dumped[model]["rows"], f"the real events give no {model} rows"
    return Baseline(
        engine=engine,
        real_lines=lines,
        real_accepted=summary["accepted_events"],
        facts={model: dumped[model] for model in FACTS},
        view_columns={view: dumped[view]["columns"] for view in VIEWS},
        work_root=tmp_path_factory.mktemp(f"fuzz_{engine}"),
    )


# ------------------------------------------------------------ reading a build


def _summary_totals(summary: dict) -> dict:
    columns = summary["columns"]
    return {
        name: sum(row[i] for row in summary["rows"])
        for i, name in enumerate(columns)
        if name != "event_type"
    }


_AGGREGATES = ("nan", "pos_inf", "neg_inf", "negative", "min", "max", "sum")


def _view_stats_sql(engine: str, view: str, columns: list[str]) -> str:
    """One row: per numeric column, counts of NaN / +inf / -inf / negatives, finite min and max, sum."""
    if engine == "duckdb":
        as_double, isnan, isinf, isfinite = "cast({} as double)", "isnan({})", "isinf({})", "isfinite({})"
    else:
        as_double, isnan, isinf, isfinite = "toFloat64({})", "isNaN({})", "isInfinite({})", "isFinite({})"
    parts = ["count(*) as n_rows"]
    for column in columns:
        v = as_double.format(f'"{column}"')
        parts += [
            f"sum(case when {isnan.format(v)} then 1 else 0 end)",
            f"sum(case when {isinf.format(v)} and {v} > 0 then 1 else 0 end)",
            f"sum(case when {isinf.format(v)} and {v} < 0 then 1 else 0 end)",
            f"sum(case when {v} < 0 then 1 else 0 end)",
            f"min(case when {isfinite.format(v)} then {v} end)",
            f"max(case when {isfinite.format(v)} then {v} end)",
            f"sum({v})",
        ]
    return f"select {', '.join(parts)} from {view}"


def view_stats(engine: str, env: dict, view_columns: dict) -> dict:
    """{view: {"n_rows": n, column: {aggregate: value}}}, computed in SQL (a view may have millions of rows)."""
    numeric = {view: [c for c in columns if c not in DIMENSIONS] for view, columns in view_columns.items()}
    result = query_engine(env, {view: _view_stats_sql(engine, view, numeric[view]) for view in numeric})
    stats = {}
    for view, columns in numeric.items():
        row = result[view]["rows"][0]
        stats[view] = {"n_rows": row[0]}
        for i, column in enumerate(columns):
            values = row[1 + i * len(_AGGREGATES): 1 + (i + 1) * len(_AGGREGATES)]
            stats[view][column] = dict(zip(_AGGREGATES, values))
    return stats


# ------------------------------------------------------------ the properties


def _fsum(values) -> float:
    values = [float(v) for v in values if v is not None]
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):  # infinities: fsum refuses, plain sum propagates
        return sum(values)


def _rows(table: dict) -> list[dict]:
    return [dict(zip(table["columns"], row)) for row in table["rows"]]


def expected_view_sums(facts: dict) -> dict:
    """{(view, column): the quantity the facts give for that additive column}."""
    sessions = _rows(facts["fct_workflow_sessions"])
    samples = _rows(facts["fct_status_samples"])
    payments = _rows(facts["fct_payments"])
    known = [s for s in sessions if s["is_known_session"]]
    outcome = {
        "known_sessions": len(known),
        "startup_success_sessions": sum(1 for s in known if s["startup_outcome"] == "success"),
        "excused_sessions": sum(1 for s in known if s["startup_outcome"] == "excused"),
        "unexcused_sessions": sum(1 for s in known if s["startup_outcome"] == "unexcused"),
        "swapped_sessions": sum(1 for s in known if s["is_swapped"]),
    }
    fps = [s["output_fps"] for s in samples if s["output_fps"] is not None]
    expected = {}
    for view in VIEWS:
        for column, value in outcome.items():
            expected[(view, column)] = value
    expected.update({
        ("v_api_network_demand", "total_sessions"): len(sessions),
        ("v_api_network_demand", "total_streams"): len({s["stream_id"] for s in sessions
                                                        if s["stream_id"] is not None}),
        ("v_api_network_demand", "total_inference_minutes"): _fsum(s["active_minutes"] for s in sessions),
        ("v_api_network_demand", "missing_capacity_count"): sum(1 for s in known if s["has_missing_capacity"]),
        ("v_api_network_demand", "fee_payment_eth"): _fsum(p["fee_payment_eth"] for p in payments),
        ("v_api_network_demand", "fee_face_value_eth"): _fsum(p["face_value_eth"] for p in payments),
        ("v_api_network_demand", "status_samples"): len(samples),
        ("v_api_network_demand", "output_fps_sum"): _fsum(fps),
        ("v_api_gpu_metrics", "status_samples"): len(samples),
        ("v_api_gpu_metrics", "output_fps_sum"): _fsum(fps),
        ("v_api_gpu_metrics", "output_fps_sumsq"): _fsum(float(x) * float(x) for x in fps),
        ("v_api_sla_compliance", "output_failed_sessions"): sum(1 for s in known if s["is_output_failed"]),
        ("v_api_sla_compliance", "health_signal_count"): _fsum(s["health_signal_count"] for s in known),
        ("v_api_sla_compliance", "health_expected_signal_count"): _fsum(
            s["health_expected_signal_count"] for s in known
        ),
    })
    for name in ("startup", "e2e", "prompt_to_playable"):
        latencies = [s[f"{name}_latency_ms"] for s in known if s[f"{name}_latency_ms"] is not None]
        expected[("v_api_gpu_metrics", f"{name}_latency_ms_sum")] = _fsum(latencies)
        expected[("v_api_gpu_metrics", f"{name}_latency_count")] = len(latencies)
    return expected


def _close(expected, actual) -> bool:
    if expected is None or actual is None:
        # SQL sums over no rows are NULL; an empty Python sum is 0
        return (expected or 0) == (actual or 0)
    expected, actual = float(expected), float(actual)
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) and math.isnan(actual)
    return math.isclose(expected, actual, rel_tol=REL_TOL, abs_tol=1e-15)


def check_views(stats: dict, facts: dict) -> list[str]:
    problems = []
    for view, columns in stats.items():
        for column, agg in columns.items():
            if column == "n_rows":
                continue
            for kind in ("nan", "pos_inf", "neg_inf", "negative"):
                if agg[kind]:
                    problems.append(f"{view}.{column}: {agg[kind]} rows {kind.replace('_', ' ')}")
            high = agg["max"]
            if column in RATIOS and high is not None and high > 1:
                problems.append(f"{view}.{column}: ratio above 1 (max {high!r})")
            if column == "sla_score" and high is not None and high > 100 + 1e-9:
                problems.append(f"{view}.{column}: above 100 (max {high!r})")
    for (view, column), expected in expected_view_sums(facts).items():
        if column not in stats[view]:
            problems.append(f"{view}.{column}: column missing")
            continue
        actual = stats[view][column]["sum"]
        if not _close(expected, actual):
            problems.append(f"{view}.{column}: sums to {actual!r}, the facts give {expected!r}")
    return problems


def check_accounting(summary: dict, lines_in: int, real_accepted: int, fuzz_count: int) -> list[str]:
    totals = _summary_totals(summary)
    problems = []
    if totals["delivered_lines"] != lines_in:
        problems.append(f"dq_event_summary: delivered_lines {totals['delivered_lines']} "
                        f"!= {lines_in} lines in the file")
    outcome = totals["accepted_events"] + totals["duplicate_lines"] + totals["quarantined_lines"]
    if outcome != totals["delivered_lines"]:
        problems.append(f"dq_event_summary: accepted + duplicates + quarantined = {outcome} "
                        f"!= delivered {totals['delivered_lines']}")
    if totals["accepted_events"] != real_accepted + fuzz_count:
        problems.append(f"dq_event_summary: accepted_events {totals['accepted_events']} != "
                        f"{real_accepted} real + {fuzz_count} fuzz")
    if totals["quarantined_lines"] != 0:
        problems.append(f"dq_event_summary: {totals['quarantined_lines']} well-formed lines quarantined")
    return problems


def check_real_rows_unchanged(baseline_facts: dict, facts: dict) -> list[str]:
    problems = []
    for model in FACTS:
        grain = MART_GRAINS[model]
        expected = baseline_facts[model]
        positions = [expected["columns"].index(c) for c in grain]
        keys = {tuple(row[p] for p in positions) for row in expected["rows"]}
        actual = facts[model]
        actual_positions = [actual["columns"].index(c) for c in grain] if set(grain) <= set(actual["columns"]) else []
        filtered = {
            "columns": actual["columns"],
            "rows": [row for row in actual["rows"] if tuple(row[p] for p in actual_positions) in keys],
        }
        try:
            assert_tables_equal(expected, filtered, grain)
        except AssertionError as exc:
            problems.append(f"{model}: real rows changed: {exc}")
    return problems


# ------------------------------------------------------------ building examples


def _save_failure(engine: str, batch: FuzzBatch, mixed: list[bytes]) -> tuple[Path, Path]:
    FAILURES_DIR.mkdir(parents=True, exist_ok=True)
    digest = batch.digest
    full = FAILURES_DIR / f"{engine}-{digest}.ndjson"
    fuzz_only = FAILURES_DIR / f"{engine}-{digest}.fuzz.ndjson"
    full.write_bytes(b"\n".join(mixed) + b"\n")
    fuzz_only.write_bytes(b"\n".join(batch.lines) + b"\n")
    return full, fuzz_only


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DBT_PROBLEM = re.compile(
    r"\b(FAIL|ERROR)\b(?! *=)|Failure in|Error in|Database Error|Runtime Error|Compilation Error|make: \*\*\*"
)


def build_problems(proc: subprocess.CompletedProcess) -> str:
    """The lines of dbt's output that name what failed (and the message lines after them)."""
    lines = ((proc.stdout or "") + (proc.stderr or "")).splitlines()
    keep = []
    for i, line in enumerate(lines):
        if _DBT_PROBLEM.search(line):
            keep.extend(lines[i:i + 4] if "Error" in line else [line])
    text = "\n".join(dict.fromkeys(_ANSI.sub("", line).rstrip()[:400] for line in keep))
    return text[-12_000:] or "\n".join(lines[-60:])


def check_examples(deliveries: list, batches: list[FuzzBatch]) -> list[str]:
    """Per example: each of its envelopes delivered and accepted once, none quarantined."""
    problems = []
    for batch in batches:
        prefix = event_id_prefix(batch.example)
        mine = [(event_id, reason) for event_id, reason in deliveries if (event_id or "").startswith(prefix)]
        expected = sorted(envelope["id"] for envelope in batch.envelopes)
        if sorted(event_id for event_id, _ in mine) != expected:
            problems.append(f"{batch!r}: {len(mine)} deliveries of its {len(expected)} envelopes")
        quarantined = sorted({reason for _, reason in mine if reason is not None})
        if quarantined:
            problems.append(f"{batch!r}: well-formed envelopes quarantined: {quarantined}")
    return problems


def build_examples(baseline: Baseline, batches: list[FuzzBatch], rng: random.Random, work_dir: Path):
    """Build the real events with the examples' envelopes interleaved into work_dir;
    return (the broken properties, empty when all hold; the file's lines)."""
    mixed = list(baseline.real_lines)
    for batch in batches:
        for line in batch.lines:
            mixed.insert(rng.randrange(len(mixed) + 1), line)
    events = work_dir / "events.ndjson"
    events.write_bytes(b"\n".join(mixed) + b"\n")
    lines_in = sum(1 for line in mixed if line.strip())

    (work_dir / "warehouse").mkdir()
    env = engine_env(baseline.engine, work_dir / "warehouse", events)
    proc = make("build", env)
    problems = []
    if proc.returncode != 0:
        problems.append(f"make build failed (exit {proc.returncode}):\n{build_problems(proc)}")
    else:
        offer_parse(env)
        dumped = dump_models(env, FACTS + ["dq_event_summary"])
        fuzz_count = sum(len(batch.lines) for batch in batches)
        problems += check_accounting(dumped["dq_event_summary"], lines_in, baseline.real_accepted, fuzz_count)
        deliveries = query_engine(env, {"d": "select event_id, quarantine_reason from stg_livepeer__deliveries"})
        problems += check_examples(deliveries["d"]["rows"], batches)
        problems += check_real_rows_unchanged(baseline.facts, dumped)
        problems += check_views(view_stats(baseline.engine, env, baseline.view_columns), dumped)
    return problems, mixed


def examples_that_break(baseline: Baseline, batches: list[FuzzBatch], rng: random.Random) -> list[str]:
    """Each example built alone with the real events: what it breaks, and where its input is saved."""
    findings = []
    for batch in batches:
        work_dir = Path(tempfile.mkdtemp(prefix=f"example_{batch.example}_", dir=baseline.work_root))
        try:
            problems, mixed = build_examples(baseline, [batch], rng, work_dir)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        if problems:
            full, fuzz_only = _save_failure(baseline.engine, batch, mixed)
            findings.append(f"{batch!r} alone breaks:\n  " + "\n  ".join(problems)
                            + f"\n  input saved: {full} (fuzz lines alone: {fuzz_only})")
    return findings


# ------------------------------------------------------------ the test


_settings = settings(
    max_examples=1,  # one draw of EXAMPLES examples, built together
    deadline=None,
    database=None,
    derandomize=SEED is None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each draw is a full dbt build
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    print_blob=False,
)


def _seeded(test):
    return test if SEED is None else seed(SEED)(test)


@_seeded
@_settings
@given(batches=st.tuples(*(fuzz_batches(example=number) for number in range(EXAMPLES))),
       rng=st.randoms(use_true_random=False))
def test_fuzzed_events_keep_every_property(baseline, batches, rng):
    batches = list(batches)
    work_dir = Path(tempfile.mkdtemp(prefix="examples_", dir=baseline.work_root))
    started = time.monotonic()
    try:
        problems, mixed = build_examples(baseline, batches, rng, work_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    print(f"fuzz {baseline.engine}, {len(batches)} examples built together: "
          f"{'FAILED' if problems else 'ok'} in {time.monotonic() - started:.0f} s")
    if problems:
        FAILURES_DIR.mkdir(parents=True, exist_ok=True)
        together = FAILURES_DIR / f"{baseline.engine}-all-{len(batches)}-examples.ndjson"
        together.write_bytes(b"\n".join(mixed) + b"\n")
        culprits = examples_that_break(baseline, batches, random.Random(0))
        pytest.fail(
            f"{baseline.engine}, {len(batches)} examples built together ({together}):\n"
            + "\n".join(problems)
            + "\n\nEach example built alone:\n"
            + ("\n".join(culprits) or "none breaks a property alone: the examples break it together")
            + f"\n{SEED_NOTE}",
            pytrace=False,
        )
