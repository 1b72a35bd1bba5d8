"""What every endpoint shares: the settings, the warehouse (opened on first use), queries with the API's
errors, the newest hour per view, and the answer cache."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from livepeer_analytics.api import query as q
from livepeer_analytics.api.backend import Busy, QueryTimeout, backend
from livepeer_analytics.api.cache import ResponseCache
from livepeer_analytics.api.config import Settings
from livepeer_analytics.api.errors import ApiError
from livepeer_analytics.api.views import ViewSpec
from livepeer_analytics.warehouse import WarehouseError


class Service:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.cache = ResponseCache(settings.cache_mb * 1_000_000) if settings.cache_mb else None
        self._backend = None
        self._lock = threading.Lock()
        self._newest: dict[str, tuple[dt.datetime | None, float]] = {}

    def backend(self):
        """The warehouse's backend, opened on first use (503 when it cannot be)."""
        with self._lock:
            if self._backend is None:
                try:
                    self._backend = backend(self.settings.query_timeout_s)
                except WarehouseError as exc:
                    raise ApiError(503, str(exc)) from None
            return self._backend

    def run(self, statements, timeout_s=None) -> list[list[dict]]:
        """Rows of each (sql, parameters) statement; a busy warehouse is 503, a timeout 504."""
        try:
            return self.backend().run(statements, timeout_s)
        except Busy as exc:
            raise ApiError(503, str(exc), {"Retry-After": "30"}) from None
        except QueryTimeout as exc:
            raise ApiError(504, str(exc)) from None
        except WarehouseError as exc:
            raise ApiError(503, str(exc)) from None

    def newest(self, spec: ViewSpec) -> dt.datetime | None:
        """The view's newest window_start, read at most every LIVEPEER_API_NEWEST_TTL_S seconds."""
        cached = self._newest.get(spec.name)
        now = time.monotonic()
        if cached and now - cached[1] < self.settings.newest_ttl_s:
            return cached[0]
        rows = self.run([(f"select max(window_start) as newest from {spec.name}", {})])[0]
        value = q.normalise(rows[0]["newest"]) if rows else None
        self._newest[spec.name] = (value, now)
        return value

    def cached(self, path: str, request: Request, produce: Callable[[], Response]) -> Response:
        """`produce()`'s answer, from the cache when this request was answered on this warehouse generation."""
        if self.cache is None:
            return produce()
        return self.cache.answer(path, request, self.backend().generation(), produce)
