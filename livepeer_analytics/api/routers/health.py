"""/healthz: is the warehouse reachable, and how old is its newest hour."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from livepeer_analytics.api import query as q
from livepeer_analytics.api.errors import ApiError
from livepeer_analytics.api.service import Service
from livepeer_analytics.api.views import VIEWS
from livepeer_analytics.warehouse import target


class Health(BaseModel):
    status: str
    target: str
    warehouse: str
    newest_window_start: str | None = None
    age_seconds: float | None = None
    error: str | None = None


def router(service: Service) -> APIRouter:
    routes = APIRouter()

    @routes.get("/healthz", response_model=Health, summary="Warehouse reachable; newest window_start and its age",
                responses={503: {"description": "warehouse unreachable or being rebuilt"}})
    def healthz():
        try:
            warehouse = service.backend()
            rows = service.run([(q.newest_window_sql(VIEWS), {})])[0]
        except ApiError as exc:
            return JSONResponse(Health(status="unavailable", target=target(), warehouse="",
                                       error=exc.message).model_dump(), status_code=exc.status)
        value = q.normalise(rows[0]["newest"]) if rows else None
        age = None if value is None else (dt.datetime.utcnow() - value).total_seconds()
        return Health(status="ok", target=warehouse.target, warehouse=warehouse.location,
                      newest_window_start=None if value is None else q.iso(value), age_seconds=age)

    return routes
