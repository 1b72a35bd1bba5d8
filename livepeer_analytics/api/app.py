"""The read API over the serving views (FastAPI). Start it with `make serve`.

Endpoints: /v1/gpu/metrics, /v1/network/demand, /v1/sla/compliance (one per
view), /v1/data-quality (the dq_* models), /healthz, /openapi.json, /docs
(Swagger UI) and /redoc, whose assets are served locally (fastapi-offline):
no internet needed. The dashboard page is served at / (dashboard.py).
See docs/serving-api.md and docs/dashboard.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import inspect
import io
import json
import logging
import math
import threading
import time
from typing import Any

from fastapi import Query as Q
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from livepeer_analytics.api import query as q
from livepeer_analytics.api.backend import Busy, QueryTimeout, backend
from livepeer_analytics.api.config import Settings
from livepeer_analytics.api.views import VIEWS, ViewSpec
from livepeer_analytics.warehouse import WarehouseError

log = logging.getLogger("livepeer_analytics.api")
COMMON_PARAMS = ("start", "end", "granularity", "group_by", "limit", "cursor", "format")


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


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


class DataQuality(BaseModel):
    lines: dict[str, int]
    quarantined_by_reason: list[dict[str, Any]]
    flagged_by_flag: list[dict[str, Any]]
    unclassified_errors: dict[str, Any]
    unmapped_trace_subtypes: dict[str, Any]


class Health(BaseModel):
    status: str
    target: str
    warehouse: str
    newest_window_start: str | None = None
    age_seconds: float | None = None
    error: str | None = None


# ------------------------------------------------------------------ parsing

def parse_time(name: str, raw: str) -> dt.datetime:
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise q.BadRequest(f"{name}={raw!r} is not an ISO 8601 time (e.g. 2026-03-01T00:00:00Z)") from None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def floor_hour(value: dt.datetime) -> dt.datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def ceil_hour(value: dt.datetime) -> dt.datetime:
    floored = floor_hour(value)
    return floored if floored == value else floored + dt.timedelta(hours=1)


def single(params, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise q.BadRequest(f"{name} is given {len(values)} times: give it once")
    return values[0] if values else None


class RateLimiter:
    """A token bucket per client: `limit` requests per `period` seconds, refilled continuously."""

    def __init__(self, limit: int, period: float):
        self.limit, self.rate = limit, limit / period
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """None when the request may go, else the seconds to wait."""
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(client, (float(self.limit), now))
            tokens = min(float(self.limit), tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                return None
            self.buckets[client] = (tokens, now)
            if len(self.buckets) > 100_000:  # forget idle clients
                self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < self.limit / self.rate}
            return max(1, math.ceil((1 - tokens) / self.rate))


class ResponseCache:
    """Answers by (endpoint, parameters, warehouse generation), least recently used out first.

    The generation changes whenever the data can have changed (DuckDB: the
    file's inode, size or modification time; ClickHouse: every
    LIVEPEER_API_NEWEST_TTL_S seconds), so a cached answer is never older than
    the warehouse it was read from."""

    def __init__(self, max_bytes: int):
        import collections

        self.max_bytes, self.bytes = max_bytes, 0
        self.entries: collections.OrderedDict = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        size = len(value[0])
        if size > self.max_bytes // 4:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, old = self.entries.popitem(last=False)
                self.bytes -= len(old[0])


# ------------------------------------------------------------------ the app

def create_app(settings: Settings | None = None) -> FastAPIOffline:
    settings = settings or Settings.from_env()
    app = FastAPIOffline(
        title="Livepeer analytics read API",
        version="1",
        description="Hourly serving views, re-rolled to any window: additive columns summed, ratios recomputed "
                    "from the sums, p95_output_fps exact from the status samples. See docs/serving-api.md.",
    )
    state = {"backend": None, "newest": {}}
    state_lock = threading.Lock()
    limiter = RateLimiter(settings.rate_limit, settings.rate_period_s) if settings.rate_limit else None

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET"],
                           allow_headers=["Authorization"], expose_headers=["X-Next-Cursor", "Retry-After"])

    def get_backend():
        with state_lock:
            if state["backend"] is None:
                try:
                    state["backend"] = backend(settings.query_timeout_s)
                except WarehouseError as exc:
                    raise ApiError(503, str(exc)) from None
            return state["backend"]

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        if path.startswith("/v1/"):
            if settings.token is not None:
                header = request.headers.get("authorization", "")
                scheme, _, supplied = header.partition(" ")
                if scheme.lower() != "bearer" or not hmac.compare_digest(supplied.strip().encode(),
                                                                          settings.token.encode()):
                    return error(401, "missing or wrong bearer token (Authorization: Bearer <LIVEPEER_API_TOKEN>)",
                                 {"WWW-Authenticate": "Bearer"})
            if limiter is not None:
                client = request.client.host if request.client else "unknown"
                wait = limiter.retry_after(client)
                if wait is not None:
                    return error(429, f"rate limit of {settings.rate_limit} requests per "
                                      f"{settings.rate_period_s:g} s exceeded: retry in {wait} s",
                                 {"Retry-After": str(wait)})
        return await call_next(request)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return error(exc.status, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "query")
        return error(400, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return error(500, f"internal error ({type(exc).__name__}); see the server log")

    def run(statements, timeout_s=None):
        try:
            return get_backend().run(statements, timeout_s)
        except Busy as exc:
            raise ApiError(503, str(exc), {"Retry-After": "30"}) from None
        except QueryTimeout as exc:
            raise ApiError(504, str(exc)) from None
        except WarehouseError as exc:
            raise ApiError(503, str(exc)) from None

    def newest(spec: ViewSpec) -> dt.datetime | None:
        cached = state["newest"].get(spec.name)
        now = time.monotonic()
        if cached and now - cached[1] < settings.newest_ttl_s:
            return cached[0]
        rows = run([(f"select max(window_start) as newest from {spec.name}", {})])[0]
        value = q.normalise(rows[0]["newest"]) if rows else None
        state["newest"][spec.name] = (value, now)
        return value

    def parse(spec: ViewSpec, request: Request) -> tuple[q.Query, str]:
        params = request.query_params
        allowed = set(COMMON_PARAMS) | set(spec.grain)
        unknown = sorted(set(params.keys()) - allowed)
        if unknown:
            raise q.BadRequest(f"unknown parameter {unknown[0]!r}: use {', '.join(COMMON_PARAMS)} "
                               f"or a filter on {', '.join(spec.grain)}")
        granularity = single(params, "granularity") or "hour"
        if granularity not in q.GRANULARITIES:
            raise q.BadRequest(f"granularity={granularity!r}: use one of {', '.join(q.GRANULARITIES)}")
        fmt = single(params, "format") or "json"
        if fmt not in ("json", "csv"):
            raise q.BadRequest(f"format={fmt!r}: use json or csv")
        raw_groups = params.getlist("group_by")
        if raw_groups:
            names = [n.strip() for raw in raw_groups for n in raw.split(",") if n.strip()]
            for name in names:
                if name not in spec.grain:
                    raise q.BadRequest(f"unknown column {name!r} in group_by: use any of {', '.join(spec.grain)}")
            group_by = tuple(c for c in spec.grain if c in names)  # grain order, duplicates dropped
        else:
            group_by = spec.grain
        filters = tuple(
            (column, tuple(None if v == q.NULL_TOKEN else v for v in params.getlist(column)))
            for column in spec.grain if params.getlist(column)
        )
        raw_limit = single(params, "limit")
        try:
            limit = settings.default_limit if raw_limit is None else int(raw_limit)
        except ValueError:
            raise q.BadRequest(f"limit={raw_limit!r} is not an integer") from None
        if not 1 <= limit <= settings.max_limit:
            raise q.BadRequest(f"limit={limit} is out of range: use 1 to {settings.max_limit}")
        raw_start, raw_end = single(params, "start"), single(params, "end")
        start = parse_time("start", raw_start) if raw_start is not None else None
        end = parse_time("end", raw_end) if raw_end is not None else None
        if start is not None and end is not None and end <= start:
            raise q.BadRequest(f"end ({raw_end}) is not after start ({raw_start})")
        if end is None:
            if start is not None:
                end = start + dt.timedelta(days=1)
            else:
                latest = newest(spec)
                end = (latest or floor_hour(dt.datetime.utcnow())) + dt.timedelta(hours=1)
        if start is None:
            start = end - dt.timedelta(days=1)
        start, end = floor_hour(start), ceil_hour(end)
        if end - start > dt.timedelta(days=settings.max_window_days):
            raise q.BadRequest(f"the window {q.iso(start)} to {q.iso(end)} is longer than the maximum of "
                               f"{settings.max_window_days:g} days: narrow start/end")
        query = q.Query(spec, start, end, granularity, group_by, filters, limit)
        cursor = single(params, "cursor")
        if cursor is not None:
            query = q.Query(spec, start, end, granularity, group_by, filters, limit, q.decode_cursor(query, cursor))
        return query, fmt

    def answer(spec: ViewSpec, request: Request):
        try:
            query, fmt = parse(spec, request)
        except q.BadRequest as exc:
            raise ApiError(400, str(exc)) from None
        dialect = get_backend().dialect
        page = [{k: q.normalise(v) for k, v in row.items()} for row in run([q.page_sql(query, dialect)])[0]]
        next_cursor = None
        if len(page) > query.limit:
            page = page[: query.limit]
            next_cursor = q.encode_cursor(query, q.row_key(query, page[-1]))
        p95 = None
        if spec.p95 and not query.single_view_row and page:
            buckets = [r["bucket"] for r in page] if query.granularity != "total" else [None]
            sql = q.p95_sql(query, dialect, buckets[0], buckets[-1])
            p95 = {}
            for row in run([sql])[0]:
                row = {k: q.normalise(v) for k, v in row.items()}
                key = tuple([row.get("bucket")] + [row[c] for c in query.group_by])
                p95[key] = row["p95_output_fps"]
        rows = [q.shape_row(query, row, p95) for row in page]
        if fmt == "csv":
            columns = ["window_start", "window_end", *query.group_by, *spec.columns]
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row[c] is None else row[c] for c in columns])
            headers = {"X-Next-Cursor": next_cursor} if next_cursor else {}
            return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
        payload = {
            "view": spec.name, "start": q.iso(query.start), "end": q.iso(query.end),
            "granularity": query.granularity, "group_by": list(query.group_by),
            "filters": {c: list(v) for c, v in query.filters}, "rows": rows, "row_count": len(rows),
            "next_cursor": next_cursor,
        }
        # serialised directly: FastAPI's generic encoder costs more than the query on large pages
        return Response(json.dumps(payload, separators=(",", ":")), media_type="application/json")

    def cached_answer(spec: ViewSpec, request: Request):
        if cache is None:
            return answer(spec, request)
        key = (spec.path, tuple(sorted(request.query_params.multi_items())), get_backend().generation())
        hit = cache.get(key)
        if hit is not None:
            return Response(hit[0], media_type=hit[1], headers=hit[2])
        response = answer(spec, request)
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith("x-")}
        cache.put(key, (response.body, response.media_type, headers))
        return response

    cache = ResponseCache(settings.cache_mb * 1_000_000) if settings.cache_mb else None
    for spec in VIEWS:
        register(app, spec, cached_answer)

    def data_quality(request: Request):
        params = request.query_params
        unknown = sorted(set(params.keys()) - {"limit"})
        if unknown:
            raise ApiError(400, f"unknown parameter {unknown[0]!r}: /v1/data-quality takes only limit")
        try:
            raw = single(params, "limit")
        except q.BadRequest as exc:
            raise ApiError(400, str(exc)) from None
        try:
            limit = DQ_DEFAULT_LIMIT if raw is None else int(raw)
        except ValueError:
            raise ApiError(400, f"limit={raw!r} is not an integer") from None
        if not 1 <= limit <= settings.max_limit:
            raise ApiError(400, f"limit={limit} is out of range: use 1 to {settings.max_limit}")
        dialect = get_backend().dialect
        statements = [(sql.replace("$limit", dialect.placeholder("limit")), {"limit": limit} if "$limit" in sql else {})
                      for sql in DQ_SQL]
        totals, reasons, flags, errors, top_errors, subtypes, top_subtypes = run(statements)

        def plain(rows):
            out = []
            for row in rows:
                row = {k: q.normalise(v) for k, v in row.items()}
                out.append({k: q.iso(v) if isinstance(v, dt.datetime) else v for k, v in row.items()})
            return out

        def counts(row: dict) -> dict:
            return {k: int(q.normalise(v) or 0) for k, v in row.items()}

        payload = {
            "lines": counts(totals[0] if totals else {}),
            "quarantined_by_reason": plain(reasons),
            "flagged_by_flag": plain(flags),
            "unclassified_errors": {**counts(errors[0]), "top": plain(top_errors)},
            "unmapped_trace_subtypes": {**counts(subtypes[0]), "top": plain(top_subtypes)},
        }
        return Response(json.dumps(payload, separators=(",", ":")), media_type="application/json")

    @app.get("/v1/data-quality", response_model=DataQuality, summary="Data-quality findings of the last build "
             "(dq_* models): line accounting, quarantine reasons, flags, unclassified errors, unmapped subtypes",
             responses={400: {"description": "bad request (one-line message)"},
                        401: {"description": "missing or wrong bearer token"},
                        429: {"description": "rate limit exceeded (Retry-After)"},
                        503: {"description": "warehouse unreachable or being rebuilt"},
                        504: {"description": "query timeout"}})
    def data_quality_endpoint(request: Request,
                              limit: str | None = Q(None, description="most frequent unclassified errors and "
                                                                      f"unmapped subtypes listed (default "
                                                                      f"{DQ_DEFAULT_LIMIT})")):
        if cache is None:
            return data_quality(request)
        key = ("/v1/data-quality", tuple(sorted(request.query_params.multi_items())), get_backend().generation())
        hit = cache.get(key)
        if hit is not None:
            return Response(hit[0], media_type=hit[1])
        response = data_quality(request)
        cache.put(key, (response.body, response.media_type, {}))
        return response

    from livepeer_analytics.api.dashboard import register_dashboard

    register_dashboard(app)

    @app.get("/healthz", response_model=Health, summary="Warehouse reachable; newest window_start and its age",
             responses={503: {"description": "warehouse unreachable or being rebuilt"}})
    def healthz():
        try:
            warehouse = get_backend()
            where = warehouse.location
            union = " union all ".join(f"select max(window_start) as w from {v.name}" for v in VIEWS)
            rows = run([(f"select max(w) as newest from ({union}) as t", {})])[0]
        except ApiError as exc:
            return JSONResponse(Health(status="unavailable", target=warehouse_target(), warehouse="",
                                       error=exc.message).model_dump(), status_code=exc.status)
        value = q.normalise(rows[0]["newest"]) if rows else None
        age = None if value is None else (dt.datetime.utcnow() - value).total_seconds()
        return Health(status="ok", target=warehouse.target, warehouse=where,
                      newest_window_start=None if value is None else q.iso(value), age_seconds=age)

    return app


DQ_DEFAULT_LIMIT = 20
# The data-quality queries (whole tables: the dq_* models describe everything the last build read).
# Only the limit is a value, bound as a parameter ($limit becomes the dialect's placeholder).
DQ_SQL = (
    "select sum(delivered_lines) as delivered_lines, sum(accepted_events) as accepted_events, "
    "sum(duplicate_lines) as duplicate_lines, sum(quarantined_lines) as quarantined_lines, "
    "sum(timestamp_in_seconds_events) as timestamp_in_seconds_events from dq_event_summary",
    "select quarantine_reason, sum(line_count) as lines, count(*) as distinct_lines from dq_quarantined_events "
    "group by quarantine_reason order by lines desc, quarantine_reason",
    "select flag, count(*) as events from dq_flagged_events group by flag order by events desc, flag",
    "select count(*) as messages, sum(event_count) as events from dq_unclassified_errors",
    "select message, event_count, session_count, first_seen_at, last_seen_at from dq_unclassified_errors "
    "order by event_count desc, message limit $limit",
    "select count(*) as subtypes, sum(event_count) as events from dq_unmapped_trace_subtypes",
    "select trace_subtype, trace_category, event_count, first_seen_at, last_seen_at from dq_unmapped_trace_subtypes "
    "order by event_count desc, trace_subtype, trace_category limit $limit",
)


def warehouse_target() -> str:
    from livepeer_analytics.warehouse import target

    return target()


def register(app, spec: ViewSpec, answer) -> None:
    """One GET endpoint per view, with every parameter documented in the OpenAPI schema."""

    def endpoint(request: Request, **_documented):
        return answer(spec, request)

    grain = ", ".join(spec.grain)
    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        *(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str | None, default=Q(None, description=d))
          for name, d in (
              ("start", "ISO 8601 UTC, floored to the hour (default: end - 24 h)"),
              ("end", "ISO 8601 UTC, exclusive, raised to the hour (default: newest window_start + 1 h)"),
              ("granularity", "hour (default), day, week (ISO, Monday) or total"),
              ("limit", "rows per page (default and maximum: server settings)"),
              ("cursor", "next_cursor of the previous page (opaque)"),
              ("format", "json (default) or csv (next cursor in the X-Next-Cursor header)"),
          )),
        inspect.Parameter("group_by", inspect.Parameter.KEYWORD_ONLY, annotation=list[str] | None,
                          default=Q(None, description=f"any of {grain} (repeat or comma-separate; default "
                                                      "the full grain; an empty value: no dimension)")),
        *(inspect.Parameter(column, inspect.Parameter.KEYWORD_ONLY, annotation=list[str] | None,
                            default=Q(None, description=f"keep rows whose {column} is one of these "
                                                        f"(repeatable; {q.NULL_TOKEN} selects NULL)"))
          for column in spec.grain),
    ]
    endpoint.__signature__ = inspect.Signature(parameters)
    endpoint.__name__ = spec.name
    app.add_api_route(
        spec.path, endpoint, methods=["GET"], summary=spec.summary, response_model=None,
        responses={200: {"model": Page, "content": {"text/csv": {}}},
                   400: {"description": "bad request (one-line message)"},
                   401: {"description": "missing or wrong bearer token"},
                   429: {"description": "rate limit exceeded (Retry-After)"},
                   503: {"description": "warehouse unreachable or being rebuilt"},
                   504: {"description": "query timeout"}},
    )
