"""The service app factory: every Burency HTTP service is built by :func:`create_service_app`.

It adds ``/healthz`` (the process is alive), ``/readyz`` (its dependencies answer),
``/metrics`` (Prometheus), request-id and access-log middleware, the problem+json
error handlers and a true OpenAPI document (:mod:`burency_common.web.openapi`). It is
a function: nothing is built at import time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.bus.port import EventBus
from burency_common.errors import PROBLEM_JSON, problem_body
from burency_common.web.middleware import RequestContextMiddleware, ServiceMetrics
from burency_common.web.openapi import finish_openapi
from burency_common.web.problems import install_problem_handlers

__all__ = ["ReadinessCheck", "bus_check", "create_service_app", "database_check"]

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
HealthDetails = Callable[[Request], Awaitable[Mapping[str, object] | None]]
"""What ``/healthz`` adds for this caller; ``None`` when the caller may not see details."""
Guard = Callable[[Request], Awaitable[None]]
"""Raises a :class:`~burency_common.errors.BurencyError` (401/403) to refuse the caller."""


@dataclass(frozen=True)
class ReadinessCheck:
    """A named probe of one dependency; ``probe`` returns True when it answers."""

    name: str
    probe: Callable[[], Awaitable[bool]]
    timeout: float = 2.0

    async def run(self) -> bool:
        try:
            return await asyncio.wait_for(self.probe(), timeout=self.timeout)
        except Exception:
            return False


def database_check(engine: AsyncEngine) -> ReadinessCheck:
    async def probe() -> bool:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    return ReadinessCheck("database", probe)


def bus_check(bus: EventBus) -> ReadinessCheck:
    return ReadinessCheck("bus", bus.ping)


def create_service_app(
    *,
    name: str,
    version: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    readiness: Sequence[ReadinessCheck] = (),
    lifespan: Lifespan | None = None,
    access_log: bool = True,
    health_details: HealthDetails | None = None,
    metrics_guard: Guard | None = None,
    request_context: bool = True,
) -> FastAPI:
    """Build a FastAPI app with Burency's health, metrics, middleware and error handling.

    ``app.state.metrics`` holds the app's :class:`ServiceMetrics`; pass
    ``request_context=False`` to wrap the app in a :class:`RequestContextMiddleware`
    yourself (the gateway puts it outside its whole pipeline). An app that faces the
    internet itself (the gateway) passes ``health_details`` (then ``/healthz`` says only
    ``{"status": "ok"}`` unless it returns details for this caller) and
    ``metrics_guard`` (who may read ``/metrics``).
    """
    app = FastAPI(
        title=f"Burency {name}",
        version=version,
        description=description,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        # No per-service Swagger page (FastAPI's loads from a CDN): the platform's is the
        # gateway's /api/docs, over the merged document, with its assets served locally.
        docs_url=None,
        redoc_url=None,
    )
    metrics = ServiceMetrics(name)
    app.state.service_name = name
    app.state.metrics = metrics
    install_problem_handlers(app)
    finish_openapi(app)
    if request_context:  # False when the caller wraps the app in its own (the gateway)
        app.add_middleware(RequestContextMiddleware, metrics=metrics, access_log=access_log)
    app.include_router(
        _operational_router(name, version, readiness, metrics, health_details, metrics_guard)
    )
    for router in routers:
        app.include_router(router)
    return app


def _operational_router(  # noqa: PLR0917 - one private call site
    name: str,
    version: str,
    checks: Sequence[ReadinessCheck],
    metrics: ServiceMetrics,
    health_details: HealthDetails | None,
    metrics_guard: Guard | None,
) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz(request: Request) -> dict[str, object]:
        if health_details is None:
            return {"status": "ok", "service": name, "version": version}
        details = await health_details(request)
        if details is None:  # not for this caller: liveness only
            return {"status": "ok"}
        return {"status": "ok", "service": name, "version": version, **details}

    @router.get(
        "/readyz",
        summary="Readiness: every dependency answers",
        responses={503: {"description": "a dependency is down"}},
    )
    async def readyz() -> JSONResponse:
        results = await asyncio.gather(*(check.run() for check in checks))
        status = {
            check.name: ("ok" if ok else "down") for check, ok in zip(checks, results, strict=True)
        }
        if all(results):
            return JSONResponse({"status": "ready", "service": name, "checks": status})
        body = problem_body(
            status=503,
            title="Service unavailable",
            detail="not ready: " + ", ".join(k for k, v in status.items() if v != "ok"),
            code="NOT_READY",
        )
        body["checks"] = status
        return JSONResponse(body, status_code=503, media_type=PROBLEM_JSON)

    guards = [Depends(metrics_guard)] if metrics_guard is not None else []

    @router.get(
        "/metrics", summary="Prometheus metrics", include_in_schema=False, dependencies=guards
    )
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
