"""What the API serves from each view: its grain and its additive columns. Its ratios are not
defined here: each derived column's formula is `vars.metric_formulas` in dbt_project.yml,
the one definition the view (macro `metric`), the analyses and this API all use; the API
evaluates it in SQL over the sums of a window (query.py).

Re-rolling rule (docs/serving-views.md, "Re-rolling"): sum every additive
column over the window and group, then recompute every ratio from those sums.
`p95_output_fps` is not additive: for a row wider than one view row it is
computed from `fct_status_samples` (see query.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import yaml

from livepeer_analytics.warehouse import REPO_ROOT

PROJECT_YAML = REPO_ROOT / "dbt_project.yml"


@cache
def formulas(view: str) -> dict[str, str]:
    """The view's derived columns and their SQL formulas (over its additive columns), in their order."""
    return dict(yaml.safe_load(PROJECT_YAML.read_text())["vars"]["metric_formulas"].get(view, {}))


@dataclass(frozen=True)
class ViewSpec:
    name: str            # the view (relation) name
    path: str            # the endpoint under /v1
    summary: str
    grain: tuple[str, ...]           # dimension columns (window_start excluded)
    additive: tuple[str, ...]        # summed over a window and group
    integer: frozenset[str]          # additive columns that are counts (returned as int)
    p95: bool = False                # has p95_output_fps (from fct_status_samples)
    derived: dict[str, str] = field(init=False, compare=False, hash=False)  # name -> SQL formula (YAML)

    def __post_init__(self) -> None:
        object.__setattr__(self, "derived", formulas(self.name))

    @property
    def columns(self) -> tuple[str, ...]:
        """Every value column of a row, in output order (after window_start, window_end and the group)."""
        derived = list(self.derived)
        if self.p95:  # the view's column order: the first ratio, p95_output_fps, then the other ratios
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
)

INGEST_QUALITY = ViewSpec(
    name="v_api_ingest_quality",
    path="/v1/ingest/quality",
    summary="Ingest quality of the broadcaster -> gateway leg per gateway, region, pipeline and model "
            "(v_api_ingest_quality)",
    grain=("gateway", "region", "pipeline", "model_id"),
    additive=(
        "ingest_samples", "ingest_bytes_received", "ingest_bytes_sent", "ingest_covered_seconds",
        "video_packets_received", "video_packets_lost", "audio_packets_received", "audio_packets_lost",
        "video_jitter_ms_sum", "video_jitter_samples", "audio_jitter_ms_sum", "audio_jitter_samples",
        "conn_quality_good_samples", "conn_quality_bad_samples", "conn_quality_other_samples",
    ),
    # the sample counts; bytes, seconds and packets are time-weighted shares of a reading's delta (floats)
    integer=frozenset({
        "ingest_samples", "video_jitter_samples", "audio_jitter_samples", "conn_quality_good_samples",
        "conn_quality_bad_samples", "conn_quality_other_samples",
    }),
)

VIEWS = (GPU_METRICS, NETWORK_DEMAND, SLA_COMPLIANCE, INGEST_QUALITY)

