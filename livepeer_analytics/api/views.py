"""What the API serves from each view: its grain, its additive columns, and the columns computed from
a fact. Its ratios are not defined here: each derived column's formula is `vars.metric_formulas` in
dbt_project.yml, the one definition the view (macro `metric`), the analyses and this API all use; the
API evaluates it in SQL over the sums of a window (query.py).

Re-rolling rule (docs/serving-views.md, "Re-rolling"): sum every additive
column over the window and group, then recompute every ratio from those sums.
What is neither (a p95, a count of distinct GPUs) is a `FactColumns`: computed
per bucket and group from the fact it comes from, with the request's window
and filters (query.fact_sql).
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
class FactColumns:
    """Columns that are neither additive nor ratios of sums: computed exactly per (bucket, group) from a
    fact, with the request's window and filters (query.fact_sql). `relation` is the fact (or a select over
    it) with window_start and every grain column of the views that use it; each column is
    (name, aggregate, argument), the aggregate a method of query.Dialect."""

    relation: str
    columns: tuple[tuple[str, str, str], ...]
    describe: str                 # for the OpenAPI description
    position: int | None = None   # where the view has them among its derived columns; None: not in the view
    missing: float | None = None  # the value of a (bucket, group) the fact has no row for
    integer: bool = False         # returned as int

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _, _ in self.columns)

    @property
    def in_view(self) -> bool:
        """The view has these columns: for a row that is one view row, the view's own value stands."""
        return self.position is not None


# p95_output_fps: the view's quantile (macros/stats.sql) over the status samples
STATUS_SAMPLES_P95 = FactColumns(
    relation="fct_status_samples",
    columns=(("p95_output_fps", "p95", "output_fps"),),
    describe="p95_output_fps exact from the status samples (fct_status_samples)",
    position=1,
)

# distinct GPUs and orchestrators on offer: not additive over hours or groups (a GPU on offer every hour of
# a day is 24 GPU-hours but one GPU); the rows v_api_gpu_supply counts, gpu_name as the view shows it
SUPPLY_DISTINCT = FactColumns(
    relation="(select window_start, orchestrator_address, pipeline, model_id, gpu_id, "
             "coalesce(gpu_name, '') as gpu_name from fct_gpu_supply where supply_issue is null and is_first_listing)",
    columns=(("distinct_gpus", "count_distinct", "gpu_id"),
             ("distinct_orchestrators", "count_distinct", "orchestrator_address")),
    describe="distinct_gpus and distinct_orchestrators counted exactly from the capability snapshots "
             "(fct_gpu_supply)",
    missing=0,
    integer=True,
)


@dataclass(frozen=True)
class ViewSpec:
    name: str            # the view (relation) name
    path: str            # the endpoint under /v1
    summary: str
    grain: tuple[str, ...]           # dimension columns (window_start excluded)
    additive: tuple[str, ...]        # summed over a window and group
    integer: frozenset[str]          # additive columns that are counts (returned as int)
    facts: tuple[FactColumns, ...] = ()  # columns computed from a fact (p95, distinct counts)
    derived: dict[str, str] = field(init=False, compare=False, hash=False)  # name -> SQL formula (YAML)

    def __post_init__(self) -> None:
        object.__setattr__(self, "derived", formulas(self.name))

    @property
    def view_columns(self) -> tuple[str, ...]:
        """The view's value columns, in its order: additive, then derived with its fact columns in place."""
        derived = list(self.derived)
        for fact in sorted((f for f in self.facts if f.in_view), key=lambda f: -f.position):
            derived[fact.position:fact.position] = fact.names
        return self.additive + tuple(derived)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every value column of an answer's row (after window_start, window_end and the group): the view's,
        then the fact columns the view does not have."""
        return self.view_columns + tuple(n for f in self.facts if not f.in_view for n in f.names)


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
    facts=(STATUS_SAMPLES_P95,),
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

GPU_SUPPLY = ViewSpec(
    name="v_api_gpu_supply",
    path="/v1/gpu/supply",
    summary="GPU supply per orchestrator, pipeline, model and GPU (v_api_gpu_supply)",
    # gpu_name is determined by gpu_id: a grain column that never splits a GPU
    grain=("orchestrator_address", "pipeline", "model_id", "gpu_id", "gpu_name"),
    additive=(
        "advertised_gpu_hours", "gpu_snapshots", "warm_gpu_snapshots", "capacity_samples", "capacity_slots_sum",
        "capacity_in_use_samples", "capacity_in_use_slots_sum", "price_samples", "price_wei_per_pixel_sum",
    ),
    integer=frozenset({
        "advertised_gpu_hours", "gpu_snapshots", "warm_gpu_snapshots", "capacity_samples",
        "capacity_in_use_samples", "price_samples",
    }),
    facts=(SUPPLY_DISTINCT,),
)

SUPPLY_DEMAND = ViewSpec(
    name="v_api_supply_demand",
    path="/v1/supply/demand",
    summary="GPU supply next to demand per model (v_api_supply_demand)",
    grain=("model_id",),
    additive=(
        "advertised_gpu_hours", "advertising_orchestrator_hours", "capacity_samples", "capacity_slots_sum",
        "capacity_in_use_samples", "capacity_in_use_slots_sum", "price_samples", "price_wei_per_pixel_sum",
        "total_sessions", "total_inference_minutes", "known_sessions", "unexcused_sessions", "missing_capacity_count",
    ),
    integer=frozenset({
        "advertised_gpu_hours", "advertising_orchestrator_hours", "capacity_samples", "capacity_in_use_samples",
        "price_samples", "total_sessions", "known_sessions", "unexcused_sessions", "missing_capacity_count",
    }),
    facts=(SUPPLY_DISTINCT,),
)

GPU_PRICE_PERFORMANCE = ViewSpec(
    name="v_api_gpu_price_performance",
    path="/v1/gpu/price-performance",
    summary="Advertised price next to performance per orchestrator, pipeline, model and GPU "
            "(v_api_gpu_price_performance)",
    grain=("orchestrator_address", "pipeline", "model_id", "gpu_id"),
    additive=(
        "advertised_gpu_hours", "price_samples", "price_wei_per_pixel_sum", "known_sessions", "unexcused_sessions",
        "swapped_sessions", "output_failed_sessions", "health_signal_count", "health_expected_signal_count",
        "status_samples", "output_fps_sum",
    ),
    integer=frozenset({
        "advertised_gpu_hours", "price_samples", "known_sessions", "unexcused_sessions", "swapped_sessions",
        "output_failed_sessions", "health_signal_count", "health_expected_signal_count", "status_samples",
    }),
    facts=(STATUS_SAMPLES_P95,),
)

VIEWS = (GPU_METRICS, NETWORK_DEMAND, SLA_COMPLIANCE, INGEST_QUALITY, GPU_SUPPLY, SUPPLY_DEMAND,
         GPU_PRICE_PERFORMANCE)

