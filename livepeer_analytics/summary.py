"""Print a short summary of the serving views after `dbt build`.

Run from the repository root (``make run`` does this)::

    python -m livepeer_analytics.summary

Reads the warehouse of the current ``DBT_TARGET`` (the DuckDB file at
``LIVEPEER_DUCKDB``, or the ClickHouse database on ``chdb`` / ``clickhouse``).
Every KPI is re-rolled from the views' additive columns (sums, then the
view's own formulas, from its YAML); ratios are never averaged.
"""

from __future__ import annotations

import sys

from livepeer_analytics.api.query import over_sums
from livepeer_analytics.api.views import GPU_METRICS, GPU_SUPPLY, SLA_COMPLIANCE
from livepeer_analytics.api.views import VIEWS as SERVED
from livepeer_analytics.warehouse import Warehouse, WarehouseError

VIEWS = tuple(spec.name for spec in SERVED)
DQ_ROW_MODELS = (
    "dq_unclassified_errors", "dq_unmapped_trace_subtypes", "dq_events_without_session", "dq_capped_sessions",
)


def fmt(value, spec="{:,.4f}"):
    return "n/a" if value is None else spec.format(value)


def main() -> int:
    try:
        warehouse = Warehouse()
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    def scalar_row(sql):
        return warehouse.rows(sql)[0]

    def whole(spec, *names):
        """The view's ratios over all its rows, by its own formulas (the view's YAML)."""
        ratios = ", ".join(f"{over_sums(spec, spec.derived[name], 'sum({})')} as {name}" for name in names)
        return scalar_row(f"select {ratios} from {spec.name}")

    try:
        rows = {view: scalar_row(f"select count(*) from {view}")[0] for view in VIEWS}
        known, success, excused, unexcused, swapped = scalar_row("""
            select sum(known_sessions), sum(startup_success_sessions), sum(excused_sessions),
                   sum(unexcused_sessions), sum(swapped_sessions)
            from v_api_sla_compliance""")
        success_ratio, no_swap_ratio = whole(SLA_COMPLIANCE, "success_ratio", "no_swap_ratio")
        (samples,) = scalar_row("select sum(status_samples) from v_api_gpu_metrics")
        (avg_fps,) = whole(GPU_METRICS, "avg_output_fps")
        minutes, fee_eth, face_eth, streams, sessions = scalar_row("""
            select sum(total_inference_minutes), sum(fee_payment_eth), sum(fee_face_value_eth),
                   sum(total_streams), sum(total_sessions)
            from v_api_network_demand""")
        gpus, orchestrators = scalar_row("select count(distinct gpu_id), count(distinct orchestrator_address)"
                                         " from fct_gpu_supply where supply_issue is null")
        (gpu_hours,) = scalar_row("select sum(advertised_gpu_hours) from v_api_gpu_supply")
        (price,) = whole(GPU_SUPPLY, "avg_price_wei_per_pixel")
        all_hours = " union all ".join(f"select window_start from {view}" for view in VIEWS)
        first_hour, last_hour = scalar_row(f"select min(window_start), max(window_start) from ({all_hours})")
        duplicates, delivered, quarantined = scalar_row(
            "select sum(duplicate_lines), sum(delivered_lines), sum(quarantined_lines) from dq_event_summary")
        dq_rows = {model: scalar_row(f"select count(*) from {model}")[0] for model in DQ_ROW_MODELS}
        reasons = warehouse.rows(
            "select quarantine_reason, count(*) from dq_quarantined_events group by 1 order by 2 desc, 1")
        flags = warehouse.rows("select flag, count(*) from dq_flagged_events group by 1 order by 2 desc, 1")
    except Exception as exc:  # noqa: BLE001 - any engine error: one line, exit 1
        print(f"error: cannot read the serving views in {warehouse.location}: {exc}".splitlines()[0], file=sys.stderr)
        return 1

    print(f"Livepeer analytics summary ({warehouse.location})")
    print(f"  hours covered        {first_hour or 'n/a'} .. {last_hour or 'n/a'} (UTC, window_start)")
    print("  serving view rows    " + ", ".join(f"{view}={count}" for view, count in rows.items()))
    print(f"  streams / sessions   {streams or 0} streams, {sessions or 0} sessions, {known or 0} known sessions")
    print(f"  startup outcomes     success={success or 0} excused={excused or 0} unexcused={unexcused or 0}")
    print(f"  success_ratio        {fmt(success_ratio)}  (v_api_sla_compliance)")
    print(f"  no_swap_ratio        {fmt(no_swap_ratio)}  ({swapped or 0} swapped)")
    print(f"  avg output FPS       {fmt(avg_fps, '{:,.2f}')}  ({samples or 0} status samples)")
    print(f"  inference minutes    {fmt(minutes or 0.0, '{:,.2f}')}")
    print(f"  GPU supply           {gpus or 0} GPUs of {orchestrators or 0} orchestrators on offer, "
          f"{gpu_hours or 0} GPU-hours, {fmt(price, '{:,.0f}')} wei per pixel on average (v_api_gpu_supply)")
    print(f"  fees (expected)      {fmt(fee_eth or 0.0, '{:.6g}')} ETH  "
          f"(face value {fmt(face_eth or 0.0, '{:.6g}')} ETH)")
    print(f"  data quality         {delivered or 0} lines delivered: {duplicates or 0} duplicates, "
          f"{quarantined or 0} quarantined (dq_quarantined_events)")
    if reasons:
        print("    quarantined by reason  " + ", ".join(f"{reason}={count}" for reason, count in reasons))
    print("    flagged events         " + (", ".join(f"{flag}={count}" for flag, count in flags) or "none")
          + "  (dq_flagged_events: kept, the odd value not counted)")
    print("    findings               " + ", ".join(f"{model}={count}" for model, count in dq_rows.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
