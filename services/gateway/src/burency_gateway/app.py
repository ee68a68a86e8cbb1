"""The gateway application: every service's API behind one address.

In embedded mode each service's ASGI app is mounted in-process under
``/api/<service>``. The full gateway (proxying, load balancing, authentication,
rate limits) is tracked in the gateway issue; this module is the shell that the
services mount into.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI
from starlette.types import ASGIApp

from burency_common.web import create_service_app
from burency_gateway import __version__

__all__ = ["create_gateway_app"]


def create_gateway_app(services: Mapping[str, ASGIApp] | None = None) -> FastAPI:
    """Build the gateway with ``services`` (name → ASGI app) mounted under ``/api/<name>``."""
    mounted = dict(services or {})

    def details() -> dict[str, object]:
        return {"services": sorted(mounted)}

    app = create_service_app(
        name="gateway",
        version=__version__,
        description="The single entry point of the Burency platform.",
        health_details=details,
    )
    for name, service_app in mounted.items():
        app.mount(f"/api/{name}", service_app)
    return app
