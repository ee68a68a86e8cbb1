"""The gateway's request pipeline for ``/api/<service>/...``.

route → authenticate → authorize → rate limit → sign identity → forward (streamed).
Anything else (``/healthz``, ``/api/openapi.json``, ``/api/docs``, the SPA) goes to the
gateway's own app. Each failure is answered as problem+json before any upstream is
contacted, so an unauthenticated or rate-limited request costs a service nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from burency_common.errors import BadRequest, BurencyError, PayloadTooLarge, ServiceUnavailable
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now
from burency_gateway.proxy import Upstreams, forward, send_problem
from burency_gateway.routes import MatchedRoute, RouteTable
from burency_gateway.security import Authenticator, RateLimiter, RateLimitStatus, authorize

__all__ = ["GatewayCore"]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


_API_KEY_HEADER = b"x-burency-apikey"
MAX_SIGNED_BODY = 64 * 1024  # an API-key request's body is buffered to check its signature


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BadRequest("client disconnected while sending the body", code="CLIENT_GONE")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"API-key requests are limited to {limit} bytes of body")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the already-read body once, then defers to the real one."""
    pending = [body]

    async def replay() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replay


def _client_ip(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


@dataclass
class GatewayCore:
    """ASGI app routing ``/api/<service>`` requests; everything else goes to ``fallback``."""

    table: RouteTable
    upstreams: Upstreams
    authenticator: Authenticator
    limiter: RateLimiter
    identity_secret: bytes
    fallback: ASGIApp
    clock: Callable[[], datetime] = utc_now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = (
            self.table.match(scope["method"], scope["path"]) if scope["type"] == "http" else None
        )
        if route is None:
            await self.fallback(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["route"] = f"{route.service.prefix}/*"
        try:
            body = b""
            if _header(scope, _API_KEY_HEADER) is not None:
                body = await _read_body(receive, MAX_SIGNED_BODY)
                receive = _replaying(body, receive)
            identity, limits = await self._admit(scope, route, body)
        except BurencyError as exc:
            await send_problem(send, exc, scope=scope, request_id=state.get("request_id"))
            return
        pool = self.upstreams.get(route.service.name)
        if pool is None:
            error = ServiceUnavailable(
                f"service {route.service.name!r} is not running", code="SERVICE_NOT_RUNNING"
            )
            await send_problem(send, error, scope=scope, request_id=state.get("request_id"))
            return
        extra = {}
        if identity is not None:
            state["user_id"] = identity.user_id
            extra[IDENTITY_HEADER] = sign_identity(
                identity, secret=self.identity_secret, now=self.clock()
            )
        await forward(
            scope,
            receive,
            self._with_headers(send, limits),
            pool=pool,
            upstream_path=route.upstream_path,
            timeout=route.timeout,
            extra_headers=extra,
        )

    async def _admit(
        self, scope: Scope, route: MatchedRoute, body: bytes
    ) -> tuple[Identity | None, RateLimitStatus]:
        identity = await self.authenticator.authenticate(
            _header(scope, b"authorization"),
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers={k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
            body=body,
            client_ip=_client_ip(scope),
        )
        authorize(route, identity)
        limits = await self.limiter.check(
            route.rate_class,
            ip=_client_ip(scope),
            user_id=identity.user_id if identity else None,
        )
        return identity, limits

    @staticmethod
    def _with_headers(send: Send, limits: RateLimitStatus) -> Send:
        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in limits.headers().items():
                    headers.setdefault(name, value)
            await send(message)

        return send_with_limits
