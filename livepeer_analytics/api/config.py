"""API settings, from environment variables (command-line options override host and port)."""

from __future__ import annotations

import os
from dataclasses import dataclass


class ConfigError(Exception):
    pass


def _number(name: str, default: float, kind=float, minimum: float = 0):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}")
    return value


def _hour_window_variable() -> str:
    """LIVEPEER_API_MAX_HOUR_WINDOW_DAYS, or its name until 2026-12 (when it limited every granularity),
    LIVEPEER_API_MAX_WINDOW_DAYS, when only that one is set (docs/changelog.md)."""
    name, old = "LIVEPEER_API_MAX_HOUR_WINDOW_DAYS", "LIVEPEER_API_MAX_WINDOW_DAYS"
    return old if not os.environ.get(name, "").strip() and os.environ.get(old, "").strip() else name


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None            # LIVEPEER_API_TOKEN: bearer token required on /v1 when set
    cors_origins: tuple[str, ...] = ()  # LIVEPEER_API_CORS_ORIGINS: comma-separated, none by default
    max_hour_window_days: float = 31    # LIVEPEER_API_MAX_HOUR_WINDOW_DAYS: longest window at granularity=hour
    max_rollup_window_days: float = 366  # LIVEPEER_API_MAX_ROLLUP_WINDOW_DAYS: at granularity day, week, total
    default_limit: int = 1000           # LIVEPEER_API_DEFAULT_LIMIT
    max_limit: int = 10000              # LIVEPEER_API_MAX_LIMIT
    query_timeout_s: float = 10.0       # LIVEPEER_API_QUERY_TIMEOUT_S
    rate_limit: int = 600               # LIVEPEER_API_RATE_LIMIT requests per client per period; 0 = off
    rate_period_s: float = 60.0         # LIVEPEER_API_RATE_PERIOD_S
    newest_ttl_s: float = 30.0          # LIVEPEER_API_NEWEST_TTL_S: cache of the newest window_start per view
    cache_mb: float = 64                # LIVEPEER_API_CACHE_MB: answers cached per warehouse generation; 0 = off

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        origins = tuple(o.strip() for o in os.environ.get("LIVEPEER_API_CORS_ORIGINS", "").split(",") if o.strip())
        values = dict(
            host=os.environ.get("LIVEPEER_API_HOST", "127.0.0.1"),
            port=_number("LIVEPEER_API_PORT", 8000, int, 0),
            token=os.environ.get("LIVEPEER_API_TOKEN") or None,
            cors_origins=origins,
            max_hour_window_days=_number(_hour_window_variable(), 31, float, 1 / 24),
            max_rollup_window_days=_number("LIVEPEER_API_MAX_ROLLUP_WINDOW_DAYS", 366, float, 1 / 24),
            default_limit=_number("LIVEPEER_API_DEFAULT_LIMIT", 1000, int, 1),
            max_limit=_number("LIVEPEER_API_MAX_LIMIT", 10000, int, 1),
            query_timeout_s=_number("LIVEPEER_API_QUERY_TIMEOUT_S", 10.0, float, 0.01),
            rate_limit=_number("LIVEPEER_API_RATE_LIMIT", 600, int, 0),
            rate_period_s=_number("LIVEPEER_API_RATE_PERIOD_S", 60.0, float, 0.001),
            newest_ttl_s=_number("LIVEPEER_API_NEWEST_TTL_S", 30.0, float, 0),
            cache_mb=_number("LIVEPEER_API_CACHE_MB", 64, float, 0),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["default_limit"] > values["max_limit"]:
            raise ConfigError("LIVEPEER_API_DEFAULT_LIMIT is above LIVEPEER_API_MAX_LIMIT")
        if values["max_hour_window_days"] > values["max_rollup_window_days"]:
            raise ConfigError(f"{_hour_window_variable()} is above LIVEPEER_API_MAX_ROLLUP_WINDOW_DAYS")
        return cls(**values)

    def max_window_days(self, granularity: str) -> float:
        """The longest window (end - start) a request of this granularity may ask for."""
        return self.max_hour_window_days if granularity == "hour" else self.max_rollup_window_days
