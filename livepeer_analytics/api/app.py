"""The read API over the serving views (FastAPI). Start it with `make serve`.

Endpoints: /v1/gpu/metrics, /v1/network/demand, /v1/sla/compliance,
/v1/ingest/quality, /v1/gpu/supply, /v1/supply/demand, /v1/gpu/price-performance (one per view of
views.py, routers/views.py), /v1/data-quality (the dq_* models,
routers/data_quality.py), /healthz (routers/health.py),
/v1/runs (the job's run history, routers/runs.py), /metrics (Prometheus, routers/metrics.py,
docs/monitoring.md), /openapi.json, /docs (Swagger UI) and /redoc, whose assets are served locally
(fastapi-offline): no internet needed. The dashboard page is served at /
(dashboard.py). See docs/serving-api.md and docs/dashboard.md.

The package: settings (config.py), access control (guard.py), errors
(errors.py), the answer cache (cache.py), what the endpoints share
(service.py), parameters (params.py), SQL (query.py), the views' grain,
additive columns, ratios and fact columns (views.py), the warehouse connection
(backend.py).
"""

from __future__ import annotations

from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from livepeer_analytics.api.config import Settings
from livepeer_analytics.api.dashboard import register_dashboard
from livepeer_analytics.api.errors import register_error_handlers
from livepeer_analytics.api.guard import add_guard
from livepeer_analytics.api.routers import data_quality, health, metrics, runs, views
from livepeer_analytics.api.service import Service


def create_app(settings: Settings | None = None) -> FastAPIOffline:
    settings = settings or Settings.from_env()
    app = FastAPIOffline(
        title="Livepeer analytics read API",
        version="1",
        description="Hourly serving views, re-rolled to any window: additive columns summed, ratios recomputed "
                    "from the sums, p95_output_fps exact from the status samples, distinct GPUs and orchestrators "
                    f"exact from the capability snapshots; {views.limits(settings)}. "
                    "See docs/serving-api.md.",
    )
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET"],
                           allow_headers=["Authorization"], expose_headers=["X-Next-Cursor", "Retry-After"])
    add_guard(app, settings)
    register_error_handlers(app)
    service = Service(settings)
    for module in (views, data_quality, runs):
        app.include_router(module.router(service))
    metrics.add_metrics(app, service)
    register_dashboard(app)
    app.include_router(health.router(service))
    return app
