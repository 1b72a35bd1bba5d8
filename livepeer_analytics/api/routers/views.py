"""One GET endpoint per serving view (/v1/gpu/metrics, /v1/network/demand, /v1/sla/compliance,
/v1/ingest/quality, /v1/gpu/supply, /v1/supply/demand, /v1/gpu/price-performance): re-rolled pages in
JSON or CSV."""

from __future__ import annotations

import csv
import inspect
import io
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi import Query as Q
from fastapi.responses import Response
from pydantic import BaseModel

from livepeer_analytics.api import query as q
from livepeer_analytics.api.config import Settings
from livepeer_analytics.api.errors import ERROR_RESPONSES, ApiError
from livepeer_analytics.api.params import view_query
from livepeer_analytics.api.service import Service
from livepeer_analytics.api.views import VIEWS, ViewSpec


class Page(BaseModel):
    view: str
    start: str
    end: str
    granularity: str
    group_by: list[str]
    filters: dict[str, list[str | None]]
    rows: list[dict[str, Any]]
    row_count: int
    next_cursor: str | None


def page_rows(service: Service, query: q.Query) -> tuple[list[dict], str | None]:
    """The page's rows (summed per bucket and group) and the cursor of the next page, if any."""
    page = service.run([q.page_sql(query, service.backend().dialect)])[0]
    if query.granularity != "total":  # the only value to normalise: sums and ratios become int/float in shape_rows
        for row in page:
            row["bucket"] = q.normalise(row["bucket"])
    if len(page) <= query.limit:
        return page, None
    page = page[: query.limit]
    return page, q.encode_cursor(query, q.row_key(query, page[-1]))


def fact_values(service: Service, query: q.Query, page: list[dict]) -> dict | None:
    """The fact columns (p95, distinct counts) per (bucket, group) of the page, computed exactly from their
    facts (query.fact_sql): every fact column of the view, a fact's `missing` value where it has no row;
    None when there is nothing to compute (the view's own values stand)."""
    facts = q.facts_to_compute(query)
    if not facts or not page:
        return None
    buckets = [r["bucket"] for r in page] if query.granularity != "total" else [None]
    dialect = service.backend().dialect
    missing = {name: fact.missing for fact in facts for name in fact.names}
    values: dict[tuple, dict] = {}
    for fact, rows in zip(facts, service.run([q.fact_sql(query, f, dialect, buckets[0], buckets[-1])
                                               for f in facts])):
        for row in rows:
            if "bucket" in row:
                row["bucket"] = q.normalise(row["bucket"])
            found = values.setdefault(q.group_key(query, row), dict(missing))
            found.update((name, row[name]) for name in fact.names)
    return values


def as_csv(query: q.Query, rows: list[dict], next_cursor: str | None) -> Response:
    columns = ["window_start", "window_end", *query.group_by, *query.spec.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in columns])
    headers = {"X-Next-Cursor": next_cursor} if next_cursor else {}
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def as_json(query: q.Query, rows: list[dict], next_cursor: str | None) -> Response:
    payload = {
        "view": query.spec.name, "start": q.iso(query.start), "end": q.iso(query.end),
        "granularity": query.granularity, "group_by": list(query.group_by),
        "filters": {c: list(v) for c, v in query.filters}, "rows": rows, "row_count": len(rows),
        "next_cursor": next_cursor,
    }
    # serialised directly: FastAPI's generic encoder costs more than the query on large pages
    return Response(json.dumps(payload, separators=(",", ":")), media_type="application/json")


def answer(service: Service, spec: ViewSpec, request: Request) -> Response:
    try:
        query, fmt = view_query(spec, request.query_params, service.settings, lambda: service.newest(spec))
    except q.BadRequest as exc:
        raise ApiError(400, str(exc)) from None
    page, next_cursor = page_rows(service, query)
    rows = q.shape_rows(query, page, fact_values(service, query, page))
    return (as_csv if fmt == "csv" else as_json)(query, rows, next_cursor)


def limits(settings: Settings) -> str:
    hour, rollup = settings.max_window_days("hour"), settings.max_window_days("day")
    return f"end - start at most {hour:g} days at granularity=hour, {rollup:g} days at day, week and total"


def parameters(settings: Settings) -> tuple[tuple[str, str], ...]:
    return (
        ("start", "ISO 8601 UTC, floored to the hour (default: end - 24 h)"),
        ("end", "ISO 8601 UTC, exclusive, raised to the hour (default: newest window_start + 1 h); "
                + limits(settings)),
        ("granularity", "hour (default), day, week (ISO, Monday) or total (one row per group: the whole window)"),
        ("limit", "rows per page (default and maximum: server settings)"),
        ("cursor", "next_cursor of the previous page (opaque)"),
        ("format", "json (default) or csv (next cursor in the X-Next-Cursor header)"),
    )


def description(spec: ViewSpec, settings: Settings) -> str:
    """The endpoint's description in the OpenAPI schema."""
    return (f"The hourly view {spec.name} re-rolled to any window, granularity and grouping: every additive "
            "column summed over the bucket and group, every ratio recomputed from those sums with the view's "
            "own formula (vars.metric_formulas in dbt_project.yml)"
            + "".join(f", {fact.describe}" for fact in spec.facts)
            + f". Windows: {limits(settings)} (LIVEPEER_API_MAX_HOUR_WINDOW_DAYS, "
              "LIVEPEER_API_MAX_ROLLUP_WINDOW_DAYS); longer is a 400. See docs/serving-api.md.")


def signature(spec: ViewSpec, settings: Settings) -> inspect.Signature:
    """The endpoint's parameters as FastAPI documents them in the OpenAPI schema (the endpoint itself
    reads the raw query string: repeated filters, NULL tokens, one-line errors)."""
    grain = ", ".join(spec.grain)

    def keyword(name: str, annotation, description: str) -> inspect.Parameter:
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                                 default=Q(None, description=description))

    return inspect.Signature([
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        *(keyword(name, str | None, text) for name, text in parameters(settings)),
        keyword("group_by", list[str] | None, f"any of {grain} (repeat or comma-separate; default the full "
                                              "grain; an empty value: no dimension)"),
        *(keyword(column, list[str] | None, f"keep rows whose {column} is one of these (repeatable; "
                                            f"{q.NULL_TOKEN} selects NULL)") for column in spec.grain),
    ])


def router(service: Service) -> APIRouter:
    routes = APIRouter()
    for spec in VIEWS:
        def endpoint(request: Request, _spec: ViewSpec = spec, **_documented):
            return service.cached(_spec.path, request, lambda: answer(service, _spec, request))

        endpoint.__signature__ = signature(spec, service.settings)
        endpoint.__name__ = spec.name
        routes.add_api_route(spec.path, endpoint, methods=["GET"], summary=spec.summary,
                             description=description(spec, service.settings), response_model=None,
                             responses={200: {"model": Page, "content": {"text/csv": {}}}, **ERROR_RESPONSES})
    return routes
