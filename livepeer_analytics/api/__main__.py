"""`python -m livepeer_analytics.api [--host H] [--port P]` (what `make serve` runs).

Serves the warehouse the last `make run` built on DBT_TARGET. Settings:
LIVEPEER_API_* environment variables (docs/serving-api.md).
"""

from __future__ import annotations

import argparse
import sys

from livepeer_analytics.api.config import ConfigError, Settings


def exposure_warning(host: str, token: str | None) -> str | None:
    """One line when the API listens beyond loopback without a token: anyone who reaches it reads it."""
    if token or host in ("127.0.0.1", "::1", "localhost") or host.startswith("127."):
        return None
    return (f"warning: serving on {host} without LIVEPEER_API_TOKEN: anyone who can reach this address reads "
            "every endpoint and /metrics; set LIVEPEER_API_TOKEN (docs/serving-api.md) or listen on 127.0.0.1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m livepeer_analytics.api", description=__doc__.splitlines()[0])
    parser.add_argument("--host", help="address to listen on (LIVEPEER_API_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (LIVEPEER_API_PORT, default 8000; 0 = any free port)")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(host=args.host, port=args.port)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    warning = exposure_warning(settings.host, settings.token)
    if warning:
        print(warning, file=sys.stderr, flush=True)

    import uvicorn

    from livepeer_analytics.api.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=args.log_level,
                access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
