"""A minimal gateway for the proxy tests and benchmark: match the route, forward.

``build_gateway(upstreams)`` is used in-process; ``create_app()`` is the uvicorn factory
for a gateway subprocess, configured by ``PROXY_GATEWAY_UPSTREAMS`` (JSON
``{service: [base_url, ...]}``). Requests with ``Authorization: Bearer test-token`` get
the "verified" identity header ``x-burency-user-id: u-verified``, standing in for the
real authentication code.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from burency_common.errors import NotFound
from burency_common.web.middleware import RequestContextMiddleware, ServiceMetrics
from burency_gateway.proxy import Upstreams, UpstreamSpec, forward, send_problem
from burency_gateway.routes import Access, RouteTable, Rule, ServiceRoute

SLOW_TIMEOUT = 1.0
IDENTITY = {"x-burency-user-id": "u-verified"}


class ProxyGateway:
    def __init__(self, routes: RouteTable, upstreams: Upstreams) -> None:
        self.routes = routes
        self.upstreams = upstreams

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == "/healthz":
            body = json.dumps({"status": "ok", "upstreams": self.upstreams.snapshot()}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        route = self.routes.match(scope["method"], scope["path"])
        pool = self.upstreams.get(route.service.name) if route else None
        if route is None or pool is None:
            request_id = scope.get("state", {}).get("request_id")
            await send_problem(send, NotFound("no such route"), scope=scope, request_id=request_id)
            return
        authorized = (b"authorization", b"Bearer test-token") in scope["headers"]
        await forward(
            scope,
            receive,
            send,
            pool=pool,
            upstream_path=route.upstream_path,
            timeout=route.timeout,
            extra_headers=IDENTITY if authorized else {},
        )

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.upstreams.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.upstreams.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


def route_table(services: list[str], *, timeout: float = 5.0) -> RouteTable:
    slow = Rule("/slow*", Access.PUBLIC, timeout=SLOW_TIMEOUT)
    return RouteTable(
        tuple(
            ServiceRoute(name, rules=(slow,), default_access=Access.PUBLIC, timeout=timeout)
            for name in services
        )
    )


def build_gateway(upstreams: Upstreams, *, timeout: float = 5.0) -> ASGIApp:
    """Route match + forward, behind the request-id/metrics middleware every service has."""
    app = ProxyGateway(route_table(upstreams.names(), timeout=timeout), upstreams)
    return RequestContextMiddleware(app, metrics=ServiceMetrics("gateway"), access_log=False)


def create_app() -> ASGIApp:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    services: dict[str, list[str]] = json.loads(os.environ["PROXY_GATEWAY_UPSTREAMS"])
    interval = float(os.environ.get("PROXY_GATEWAY_HEALTH_INTERVAL", "2.0"))
    return build_gateway(Upstreams.from_mapping(services, health_interval=interval))


@asynccontextmanager
async def in_process_gateway(
    services: Mapping[str, UpstreamSpec], **pool_options: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Upstreams]]:
    """A gateway in this process (health checks running) and a client for it."""
    upstreams = Upstreams.from_mapping(services, **pool_options)
    app = build_gateway(upstreams)
    await upstreams.start()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client, upstreams
    finally:
        await upstreams.stop()
