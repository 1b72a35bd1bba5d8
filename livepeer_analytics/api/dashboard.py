"""The dashboard page at / (docs/dashboard.md): one HTML file, one JS file and one
CSS file from livepeer_analytics/api/static/, plus plotly.js from the pinned
`plotly` package (its plotly.min.js under plotly/package_data/): no CDN, no
build step. The page reads only the API's own endpoints (/healthz and /v1/*),
so it obeys the same token, rate limit and timeout as any other client.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi.responses import FileResponse, JSONResponse, Response

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}


def plotly_js() -> Path | None:
    """plotly.min.js of the installed plotly package (located without importing plotly)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "package_data" / "plotly.min.js"
        if path.is_file():
            return path
    return None


def register_dashboard(app) -> None:
    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(STATIC / "dashboard.html", media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        # Browsers ask for /favicon.ico on any page (the JSON of /healthz too): answer "no icon"
        # instead of a 404 that shows up as a console error and in the server log.
        return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/dashboard/{name}", include_in_schema=False)
    def asset(name: str):
        if name == "plotly.min.js":
            path = plotly_js()
            if path is None:
                return JSONResponse({"error": "plotly is not installed (pip install -r requirements.txt)"},
                                    status_code=404)
            return FileResponse(path, media_type="text/javascript; charset=utf-8",
                                headers={"Cache-Control": "public, max-age=86400"})
        if name not in ASSETS:
            return JSONResponse({"error": "Not Found"}, status_code=404)
        return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})
