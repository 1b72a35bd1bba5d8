"""/v1/data-quality: what the last build read and what it quarantined, flagged or could not classify."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi import Query as Q
from fastapi.responses import Response
from pydantic import BaseModel

from livepeer_analytics.api import query as q
from livepeer_analytics.api.errors import ERROR_RESPONSES, ApiError
from livepeer_analytics.api.params import limit_of
from livepeer_analytics.api.service import Service

DEFAULT_LIMIT = 20
LIMIT_DESCRIPTION = f"most frequent unclassified errors and unmapped subtypes listed (default {DEFAULT_LIMIT})"


class DataQuality(BaseModel):
    lines: dict[str, int]
    quarantined_by_reason: list[dict[str, Any]]
    flagged_by_flag: list[dict[str, Any]]
    unclassified_errors: dict[str, Any]
    unmapped_trace_subtypes: dict[str, Any]


def plain(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        row = {k: q.normalise(v) for k, v in row.items()}
        out.append({k: q.iso(v) if isinstance(v, dt.datetime) else v for k, v in row.items()})
    return out


def counts(row: dict) -> dict:
    return {k: int(q.normalise(v) or 0) for k, v in row.items()}


def answer(service: Service, request: Request) -> Response:
    params = request.query_params
    unknown = sorted(set(params.keys()) - {"limit"})
    if unknown:
        raise ApiError(400, f"unknown parameter {unknown[0]!r}: /v1/data-quality takes only limit")
    try:
        limit = limit_of(params, service.settings, DEFAULT_LIMIT)
    except q.BadRequest as exc:
        raise ApiError(400, str(exc)) from None
    statements = q.data_quality_sql(service.backend().dialect, limit)
    totals, reasons, flags, errors, top_errors, subtypes, top_subtypes = service.run(statements)
    payload = {
        "lines": counts(totals[0] if totals else {}),
        "quarantined_by_reason": plain(reasons),
        "flagged_by_flag": plain(flags),
        "unclassified_errors": {**counts(errors[0]), "top": plain(top_errors)},
        "unmapped_trace_subtypes": {**counts(subtypes[0]), "top": plain(top_subtypes)},
    }
    return Response(json.dumps(payload, separators=(",", ":")), media_type="application/json")


def router(service: Service) -> APIRouter:
    routes = APIRouter()

    @routes.get("/v1/data-quality", response_model=DataQuality, responses=ERROR_RESPONSES,
                summary="Data-quality findings of the last build (dq_* models): line accounting, quarantine "
                        "reasons, flags, unclassified errors, unmapped subtypes")
    def data_quality_endpoint(request: Request, limit: str | None = Q(None, description=LIMIT_DESCRIPTION)):
        return service.cached("/v1/data-quality", request, lambda: answer(service, request))

    return routes
