"""ASGI middleware: request ids, one access-log line per request, Prometheus metrics.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so streamed bodies stay streamed
and the per-request overhead stays small.
"""

from __future__ import annotations

import re
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from burency_common.ids import new_id
from burency_common.logging import (
    REQUEST_ID_HEADER,
    get_logger,
    reset_request_id,
    set_request_id,
)
from burency_common.web.raw_headers import replace_header

__all__ = ["RequestContextMiddleware", "ServiceMetrics"]

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_HEADER = REQUEST_ID_HEADER.lower().encode()
_log = get_logger("burency.access")
_MAX_LABEL_SETS = 4096


class ServiceMetrics:
    """One service's Prometheus metrics, in its own registry (several apps share a process)."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "burency_http_requests_total",
            "HTTP requests handled",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "burency_http_request_duration_seconds",
            "HTTP request latency",
            ["service", "method", "route"],
            registry=self.registry,
        )
        self.service = service
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, elapsed: float) -> None:
        """Count one request and its latency. The labelled children are kept: looking
        them up with ``labels()`` on every request cost more than the counting."""
        key = (method, route, str(status))
        children = self._children.get(key)
        if children is None:
            if len(self._children) >= _MAX_LABEL_SETS:
                self._children.clear()  # routes are templates: this never happens in use
            children = self._children[key] = (
                self.requests.labels(self.service, method, route, key[2]),
                self.latency.labels(self.service, method, route),
            )
        children[0].inc()
        children[1].observe(elapsed)


def _incoming_request_id(scope: Scope) -> str:
    known = scope.get("state", {}).get("request_id")
    if known:  # an outer middleware (the gateway's) already decided it
        return str(known)
    for name, value in scope.get("headers", ()):
        if name == _HEADER:
            candidate = str(value.decode("latin-1"))
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
            break
    return new_id()


def _route_template(scope: Scope) -> str:
    path: object = getattr(scope.get("route"), "path", None)
    if not path:
        path = scope.get("state", {}).get("route")  # set by ASGI apps without a router
    return str(path) if path else "unmatched"


class RequestContextMiddleware:
    """Binds ``request_id``, echoes it in the response, logs and measures the request."""

    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics, access_log: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # A per-request copy: servers may hand every request the same lifespan state.
        scope["state"] = dict(scope.get("state") or {})
        request_id = _incoming_request_id(scope)
        scope["state"]["request_id"] = request_id
        request_id_bytes = request_id.encode("latin-1")
        status: dict[str, int] = {"code": 500}
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                replace_header(message, _HEADER, request_id_bytes)
            await send(message)

        bound = set_request_id(request_id)  # bind_request_id's effect, per request
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            try:
                self._record(scope, status["code"], time.perf_counter() - started)
            finally:
                reset_request_id(bound)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        route = _route_template(scope)
        method = str(scope.get("method", ""))
        self.metrics.observe(method, route, status, elapsed)
        if self.access_log and route not in {"/healthz", "/metrics"}:
            state: dict[str, Any] = scope.get("state", {})
            _log.info(
                "http.request",
                method=method,
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                user_id=state.get("user_id"),
            )
