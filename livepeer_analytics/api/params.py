"""A view endpoint's query parameters, checked and turned into a `query.Query` (docs/serving-api.md).
Every mistake is a `query.BadRequest` with a one-line reason (answered 400)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from livepeer_analytics.api import query as q
from livepeer_analytics.api.config import Settings
from livepeer_analytics.api.views import ViewSpec

COMMON_PARAMS = ("start", "end", "granularity", "group_by", "limit", "cursor", "format")
FORMATS = ("json", "csv")


def parse_time(name: str, raw: str) -> dt.datetime:
    """An ISO 8601 time as naive UTC; without an offset it is UTC."""
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
    """A parameter given at most once."""
    values = params.getlist(name)
    if len(values) > 1:
        raise q.BadRequest(f"{name} is given {len(values)} times: give it once")
    return values[0] if values else None


def limit_of(params, settings: Settings, default: int) -> int:
    raw = single(params, "limit")
    try:
        limit = default if raw is None else int(raw)
    except ValueError:
        raise q.BadRequest(f"limit={raw!r} is not an integer") from None
    if not 1 <= limit <= settings.max_limit:
        raise q.BadRequest(f"limit={limit} is out of range: use 1 to {settings.max_limit}")
    return limit


def _check_names(spec: ViewSpec, params) -> None:
    unknown = sorted(set(params.keys()) - set(COMMON_PARAMS) - set(spec.grain))
    if unknown:
        raise q.BadRequest(f"unknown parameter {unknown[0]!r}: use {', '.join(COMMON_PARAMS)} "
                           f"or a filter on {', '.join(spec.grain)}")


def _choice(params, name: str, choices: tuple[str, ...], default: str) -> str:
    value = single(params, name) or default
    if value not in choices:
        raise q.BadRequest(f"{name}={value!r}: use " + (" or ".join(choices) if len(choices) == 2
                                                          else "one of " + ", ".join(choices)))
    return value


def _group_by(spec: ViewSpec, params) -> tuple[str, ...]:
    raw_groups = params.getlist("group_by")
    if not raw_groups:
        return spec.grain
    names = [n.strip() for raw in raw_groups for n in raw.split(",") if n.strip()]
    for name in names:
        if name not in spec.grain:
            raise q.BadRequest(f"unknown column {name!r} in group_by: use any of {', '.join(spec.grain)}")
    return tuple(c for c in spec.grain if c in names)  # grain order, duplicates dropped


def _filters(spec: ViewSpec, params) -> tuple:
    return tuple(
        (column, tuple(None if v == q.NULL_TOKEN else v for v in params.getlist(column)))
        for column in spec.grain if params.getlist(column)
    )


def _window(params, settings: Settings, granularity: str,
            newest: Callable[[], dt.datetime | None]) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in whole hours: by default the 24 hours up to the view's newest hour; no longer than
    the granularity's maximum (LIVEPEER_API_MAX_HOUR_WINDOW_DAYS for hour, LIVEPEER_API_MAX_ROLLUP_WINDOW_DAYS
    for day, week and total)."""
    raw_start, raw_end = single(params, "start"), single(params, "end")
    start = parse_time("start", raw_start) if raw_start is not None else None
    end = parse_time("end", raw_end) if raw_end is not None else None
    if start is not None and end is not None and end <= start:
        raise q.BadRequest(f"end ({raw_end}) is not after start ({raw_start})")
    if end is None:
        if start is not None:
            end = start + dt.timedelta(days=1)
        else:
            end = (newest() or floor_hour(dt.datetime.utcnow())) + dt.timedelta(hours=1)
    if start is None:
        start = end - dt.timedelta(days=1)
    start, end = floor_hour(start), ceil_hour(end)
    maximum = settings.max_window_days(granularity)
    if end - start > dt.timedelta(days=maximum):
        coarser = granularity == "hour" and end - start <= dt.timedelta(days=settings.max_window_days("day"))
        raise q.BadRequest(f"the window {q.iso(start)} to {q.iso(end)} is longer than the maximum of {maximum:g} "
                           f"days for granularity={granularity}: narrow start/end"
                           + (" or use granularity day, week or total" if coarser else ""))
    return start, end


def view_query(spec: ViewSpec, params, settings: Settings,
               newest: Callable[[], dt.datetime | None]) -> tuple[q.Query, str]:
    """The query a view request asks for, and its format (json or csv)."""
    _check_names(spec, params)
    granularity = _choice(params, "granularity", q.GRANULARITIES, "hour")
    fmt = _choice(params, "format", FORMATS, "json")
    group_by, filters = _group_by(spec, params), _filters(spec, params)
    limit = limit_of(params, settings, settings.default_limit)
    start, end = _window(params, settings, granularity, newest)
    query = q.Query(spec, start, end, granularity, group_by, filters, limit)
    cursor = single(params, "cursor")
    if cursor is not None:
        query = q.Query(spec, start, end, granularity, group_by, filters, limit, q.decode_cursor(query, cursor))
    return query, fmt
