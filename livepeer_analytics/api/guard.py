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


def add_guard(app, settings: Settings) -> None:
    """Every /v1 request: 401 without the token (when one is set), 429 past the rate limit. /metrics follows
    the token too (Prometheus sends it: docs/monitoring.md) but has no rate limit."""
    limiter = RateLimiter(settings.rate_limit, settings.rate_period_s) if settings.rate_limit else None

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if request.url.path.startswith("/v1/") or request.url.path == "/metrics":
            if settings.token is not None and not token_accepted(request, settings.token):
                return error(401, "missing or wrong bearer token (Authorization: Bearer <LIVEPEER_API_TOKEN>)",
                             {"WWW-Authenticate": "Bearer"})
            if limiter is not None and request.url.path != "/metrics":
                wait = limiter.retry_after(request.client.host if request.client else "unknown")
                if wait is not None:
                    return error(429, f"rate limit of {settings.rate_limit} requests per "
                                      f"{settings.rate_period_s:g} s exceeded: retry in {wait} s",
                                 {"Retry-After": str(wait)})
        return await call_next(request)
