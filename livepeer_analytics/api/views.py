"""What the API serves from each view: its grain, its additive columns and its
ratios, each ratio defined ONCE here (in Python, over the summed additive
columns) with the same formula as the view's SQL.

Re-rolling rule (docs/serving-views.md, "Re-rolling"): sum every additive
column over the window and group, then recompute every ratio from those sums.
`p95_output_fps` is not additive: for a row wider than one view row it is
computed from `fct_status_samples` (see query.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field


def safe_ratio(numerator, denominator):
    """numerator / denominator as doubles; None when the denominator is 0 or NULL (macro safe_ratio)."""
    if numerator is None or denominator is None or float(denominator) == 0.0:
        return None
    return float(numerator) / float(denominator)


def one_minus(value):
    return None if value is None else 1 - value


def jitter_coeff(n, total, total_sq):
    """stddev_pop / mean from the additive sums (macro jitter_coeff)."""
    mean = safe_ratio(total, n)
    mean_sq = safe_ratio(total_sq, n)
    if mean is None or mean_sq is None or mean == 0:
        return None
    return math.sqrt(max(mean_sq - math.pow(mean, 2), 0)) / mean


def sla_score(r):
    """100 x health ratio x (0.4 x success + 0.2 x no swap + 0.4 x output ok), as v_api_sla_compliance."""
    health = safe_ratio(r["health_signal_count"], r["health_expected_signal_count"])
    unexcused = safe_ratio(r["unexcused_sessions"], r["known_sessions"])
    swapped = safe_ratio(r["swapped_sessions"], r["known_sessions"])
    output_failed = safe_ratio(r["output_failed_sessions"], r["known_sessions"])
    if None in (health, unexcused, swapped, output_failed):
        return None
    return 100 * health * (0.4 * (1 - unexcused) + 0.2 * (1 - swapped) + 0.4 * (1 - output_failed))


@dataclass(frozen=True)
class ViewSpec:
    name: str            # the view (relation) name
    path: str            # the endpoint under /v1
    summary: str
    grain: tuple[str, ...]           # dimension columns (window_start excluded)
    additive: tuple[str, ...]        # summed over a window and group
    integer: frozenset[str]          # additive columns that are counts (returned as int)
    derived: dict[str, Callable[[dict], object]] = field(default_factory=dict)  # name -> f(summed row)
    p95: bool = False                # has p95_output_fps (from fct_status_samples)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every value column of a row, in output order (after window_start, window_end and the group)."""
        derived = list(self.derived)
        if self.p95:  # the view's column order: avg_output_fps, p95_output_fps, jitter_coeff_fps, ...
            derived.insert(1, "p95_output_fps")
        return self.additive + tuple(derived)


_LATENCIES = ("startup", "e2e", "prompt_to_playable")

GPU_METRICS = ViewSpec(
    name="v_api_gpu_metrics",
    path="/v1/gpu/metrics",
    summary="GPU performance and reliability (v_api_gpu_metrics)",
    grain=("orchestrator_address", "pipeline", "model_id", "gpu_id", "region"),
    additive=(
        "status_samples", "output_fps_sum", "output_fps_sumsq", "known_sessions", "startup_success_sessions",
        "excused_sessions", "unexcused_sessions", "swapped_sessions",
        *(column for name in _LATENCIES for column in (f"{name}_latency_ms_sum", f"{name}_latency_count")),
    ),
    integer=frozenset({
        "status_samples", "known_sessions", "startup_success_sessions", "excused_sessions", "unexcused_sessions",
        "swapped_sessions", *(f"{name}_latency_ms_sum" for name in _LATENCIES),
        *(f"{name}_latency_count" for name in _LATENCIES),
    }),
    derived={
        "avg_output_fps": lambda r: safe_ratio(r["output_fps_sum"], r["status_samples"]),
        "jitter_coeff_fps": lambda r: jitter_coeff(r["status_samples"], r["output_fps_sum"], r["output_fps_sumsq"]),
        "failure_rate": lambda r: safe_ratio(r["unexcused_sessions"], r["known_sessions"]),
        "swap_rate": lambda r: safe_ratio(r["swapped_sessions"], r["known_sessions"]),
        **{
            f"avg_{name}_latency_ms": (
                lambda r, name=name: safe_ratio(r[f"{name}_latency_ms_sum"], r[f"{name}_latency_count"])
            )
            for name in _LATENCIES
        },
    },
    p95=True,
)

NETWORK_DEMAND = ViewSpec(
    name="v_api_network_demand",
    path="/v1/network/demand",
    summary="Network demand per gateway, region, pipeline and model (v_api_network_demand)",
    grain=("gateway", "region", "pipeline", "model_id"),
    additive=(
        "total_streams", "total_sessions", "total_inference_minutes", "known_sessions", "startup_success_sessions",
        "excused_sessions", "unexcused_sessions", "swapped_sessions", "missing_capacity_count", "fee_payment_eth",
        "fee_face_value_eth", "status_samples", "output_fps_sum",
    ),
    integer=frozenset({
        "total_streams", "total_sessions", "known_sessions", "startup_success_sessions", "excused_sessions",
        "unexcused_sessions", "swapped_sessions", "missing_capacity_count", "status_samples",
    }),
    derived={
        "avg_output_fps": lambda r: safe_ratio(r["output_fps_sum"], r["status_samples"]),
        "success_ratio": lambda r: one_minus(safe_ratio(r["unexcused_sessions"], r["known_sessions"])),
    },
)

SLA_COMPLIANCE = ViewSpec(
    name="v_api_sla_compliance",
    path="/v1/sla/compliance",
    summary="SLA compliance per orchestrator, pipeline, model, GPU and region (v_api_sla_compliance)",
    grain=("orchestrator_address", "pipeline", "model_id", "gpu_id", "region"),
    additive=(
        "known_sessions", "startup_success_sessions", "excused_sessions", "unexcused_sessions", "swapped_sessions",
        "output_failed_sessions", "health_signal_count", "health_expected_signal_count",
    ),
    integer=frozenset({
        "known_sessions", "startup_success_sessions", "excused_sessions", "unexcused_sessions", "swapped_sessions",
        "output_failed_sessions", "health_signal_count", "health_expected_signal_count",
    }),
    derived={
        "success_ratio": lambda r: one_minus(safe_ratio(r["unexcused_sessions"], r["known_sessions"])),
        "no_swap_ratio": lambda r: one_minus(safe_ratio(r["swapped_sessions"], r["known_sessions"])),
        "sla_score": sla_score,
    },
)

VIEWS = (GPU_METRICS, NETWORK_DEMAND, SLA_COMPLIANCE)


def derive(spec: ViewSpec, summed: dict) -> dict:
    """The ratio columns of one summed row."""
    return {name: formula(summed) for name, formula in spec.derived.items()}
