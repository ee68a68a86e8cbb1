"""A gateway whose every decision is recorded, in front of echo upstreams that record
what they received: the two halves the canonical-path tests compare.

* :func:`echo_app` is a raw ASGI upstream answering every request with the ``path``
  and ``raw_path`` of its scope (and remembering them);
* :class:`Probe` wraps the gateway core's route table, authenticator and rate limiter
  and records the path each was asked about and what it decided.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Receive, Scope, Send

from burency_gateway.core import GatewayCore
from burency_gateway.routes import MatchedRoute, RouteTable


@dataclass
class Seen:
    """What one upstream request looked like from the service's side."""

    service: str
    method: str
    path: str
    raw_path: bytes


def echo_app(service: str, log: list[Seen]) -> Callable[..., Any]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False) and message["type"] == "http.request"
        raw = scope.get("raw_path") or b""
        if raw != b"/healthz":  # the pools' own health checks are not requests under test
            log.append(Seen(service, scope["method"], scope["path"], raw))
        body = json.dumps(
            {"service": service, "path": scope["path"], "rawPath": raw.decode("latin-1")}
        ).encode()
        headers = [(b"content-type", b"application/json")]
        if scope["path"].endswith("/cacheable"):
            headers.append((b"cache-control", b"public, max-age=60"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


@dataclass
class Probe:
    """Records the path every gateway check saw, and the decisions taken on it."""

    matched: list[tuple[str, MatchedRoute | None]] = field(default_factory=list)
    authenticated: list[str] = field(default_factory=list)
    rate_classes: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.matched.clear()
        self.authenticated.clear()
        self.rate_classes.clear()

    def install(self, core: GatewayCore) -> None:
        table, authenticator, limiter = core.table, core.authenticator, core.limiter
        probe = self

        class SpyTable(RouteTable):
            def match(self, method: str, path: str) -> MatchedRoute | None:
                found = table.match(method, path)
                probe.matched.append((path, found))
                return found

        class SpyAuthenticator:
            async def authenticate(self, *args: Any, **kwargs: Any) -> Any:
                probe.authenticated.append(kwargs["path"])
                return await authenticator.authenticate(*args, **kwargs)

        class SpyLimiter:
            async def check(self, rate_class: str, **kwargs: Any) -> Any:
                probe.rate_classes.append(rate_class)
                return await limiter.check(rate_class, **kwargs)

        core.table = SpyTable(table.services)
        core.authenticator = SpyAuthenticator()  # type: ignore[assignment]
        core.limiter = SpyLimiter()  # type: ignore[assignment]
