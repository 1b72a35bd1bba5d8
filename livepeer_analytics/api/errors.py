"""The API's errors: every failure is one JSON object `{"error": "<one line>"}` with its status."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("livepeer_analytics.api")

# The statuses an endpoint under /v1 can answer besides 200, as documented in the OpenAPI schema.
ERROR_RESPONSES = {
    400: {"description": "bad request (one-line message)"},
    401: {"description": "missing or wrong bearer token"},
    429: {"description": "rate limit exceeded (Retry-After)"},
    503: {"description": "warehouse unreachable or being rebuilt"},
    504: {"description": "query timeout"},
}


class ApiError(Exception):
    """A failure answered with `status` and a one-line message (and headers, e.g. Retry-After)."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def register_error_handlers(app) -> None:
    """The same JSON shape for the API's own errors, FastAPI's validation errors, HTTP errors
    (404, 405) and anything unexpected (500, logged with its traceback)."""

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
