"""Access control on /v1: the bearer token (LIVEPEER_API_TOKEN) and a rate limit per client."""

from __future__ import annotations

import hmac
import math
import threading
import time

from fastapi import Request

from livepeer_analytics.api.config import Settings
from livepeer_analytics.api.errors import error


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


def token_accepted(request: Request, token: str) -> bool:
    scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(supplied.strip().encode(), token.encode())


class Guard:
    """Pure ASGI middleware (Starlette's `@app.middleware("http")` streams every answer's body through a
    queue, which cost about 40 % of the throughput of large pages at 8 clients)."""

    def __init__(self, app, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.limiter = RateLimiter(settings.rate_limit, settings.rate_period_s) if settings.rate_limit else None

    def refusal(self, request: Request):
        """The error answer to a request the guard stops, else None."""
        path = request.url.path
        if not (path.startswith("/v1/") or path == "/metrics"):
            return None
        if self.settings.token is not None and not token_accepted(request, self.settings.token):
            return error(401, "missing or wrong bearer token (Authorization: Bearer <LIVEPEER_API_TOKEN>)",
                         {"WWW-Authenticate": "Bearer"})
        if self.limiter is not None and path != "/metrics":
            wait = self.limiter.retry_after(request.client.host if request.client else "unknown")
            if wait is not None:
                return error(429, f"rate limit of {self.settings.rate_limit} requests per "
                                  f"{self.settings.rate_period_s:g} s exceeded: retry in {wait} s",
                             {"Retry-After": str(wait)})
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            refused = self.refusal(Request(scope))
            if refused is not None:
                return await refused(scope, receive, send)
        await self.app(scope, receive, send)


def add_guard(app, settings: Settings) -> None:
    """Every /v1 request: 401 without the token (when one is set), 429 past the rate limit. /metrics follows
    the token too (Prometheus sends it: docs/monitoring.md) but has no rate limit."""
    app.add_middleware(Guard, settings=settings)
