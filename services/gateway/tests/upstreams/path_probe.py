"""A gateway whose every decision is recorded, in front of echo upstreams that record
what they received: the two halves the canonical-path tests compare.

* :func:`echo_app` is a raw ASGI upstream answering every request with the ``path``
  and ``raw_path`` of its scope (and remembering them);
* :class:`Probe` wraps the gateway core's route table, authenticator and rate limiter
  and records the path each was asked about and what it decided;
* :func:`serve` runs such a gateway under uvicorn (:class:`Served`), in front of
  embedded echo apps or one echo served over HTTP.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from burency_common.timeutil import utc_now
from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token
from burency_gateway.app import build_gateway
from burency_gateway.core import GatewayCore
from burency_gateway.routes import MatchedRoute, RouteTable, default_route_table
from burency_gateway.security import LocalKeySource
from burency_gateway.settings import GatewaySettings
from burency_testing.raw_http import RawResponse, ServedApp, raw_request


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
        forwarded = any(name == b"x-forwarded-prefix" for name, _ in scope["headers"])
        if forwarded:  # the pools' own health checks are not requests under test
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


SECRET = b"i" * 32
KEYS = KeyRing(SigningKey.generate())
SERVICES = default_route_table().names()


def bearer(*roles: str) -> dict[str, str]:
    token = issue_token(
        KEYS,
        subject="user-1",
        token_type=TokenType.ACCESS,
        issuer="burency-auth",
        audience="burency",
        ttl=timedelta(minutes=15),
        now=utc_now(),
        claims={"roles": list(roles or ("user",)), "sid": "sid-1"},
    )
    return {"Authorization": f"Bearer {token}"}


class Served:
    """A uvicorn-served gateway, what its checks saw and what its upstreams received."""

    def __init__(self, gateway: ServedApp, probe: Probe, seen: list[Seen]) -> None:
        self.gateway, self.probe, self.seen = gateway, probe, seen

    def send(self, method: str, target: bytes, **kwargs: Any) -> RawResponse:
        self.probe.clear()
        self.seen.clear()
        return raw_request(self.gateway.port, method, target, **kwargs)


def serve(
    settings_factory: Callable[..., Any],
    mode: str,
    *,
    rate_limits: str = "login=2/minute",
    overrides: dict[str, Any] | None = None,
    server: str = "auto",
) -> Iterator[Served]:
    """Yield a served gateway; ``mode`` ``embedded`` or ``http`` picks the upstream kind."""
    seen: list[Seen] = []
    echo = ServedApp(echo_app("any", seen)) if mode == "http" else None
    services: dict[str, Any] = {
        name: f"http://127.0.0.1:{echo.port}" if echo else echo_app(name, seen) for name in SERVICES
    }
    services.update(overrides or {})
    settings = settings_factory(GatewaySettings, rate_limits=rate_limits, health_interval=3600)
    gateway = build_gateway(
        settings,
        services=services,
        key_source=LocalKeySource(KEYS.resolve),
        identity_secret=SECRET,
    )
    probe = Probe()
    probe.install(gateway.core)
    if echo is not None:
        echo.__enter__()
    try:
        with ServedApp(gateway.app, http=server) as served:
            yield Served(served, probe, seen)
    finally:
        if echo is not None:
            echo.__exit__()


def clean_settings(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """``settings_factory`` for a module-scoped fixture: ``BURENCY_*`` env vars ignored."""

    def make(cls: type[Any], **values: Any) -> Any:
        for key in list(os.environ):
            if key.startswith("BURENCY_") and not key.startswith("BURENCY_TEST_"):
                monkeypatch.delenv(key)
        return cls(_env_file=None, **values)

    return make
