"""The gateway's request pipeline for ``/api/<service>/...``.

canonical path → route → authenticate → authorize → rate limit → sign identity → forward (streamed).
Anything else (``/healthz``, ``/api/openapi.json``, ``/api/docs``, the SPA) goes to the
gateway's own app. Each failure is answered as problem+json before any upstream is
contacted, so an unauthenticated or rate-limited request costs a service nothing.

The path is made canonical first (:mod:`burency_gateway.canonical`), once, from the
client's raw bytes; the request continues with a scope whose ``path``/``raw_path`` are
that canonical form, so route rules, rate-limit classes, API-key scopes, the gateway's
own app and the upstream service all see one and the same path. A path with no single
meaning is answered 400 ``AMBIGUOUS_PATH``.

A response to a request that carried valid credentials gets ``Cache-Control: no-store``
unless the service chose a ``Cache-Control`` itself: it is someone's private data, and
no shared or browser cache may keep it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from burency_common.direct import DirectRoutes
from burency_common.errors import BadRequest, BurencyError, PayloadTooLarge, ServiceUnavailable
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now
from burency_common.web.raw_headers import add_missing_headers
from burency_gateway.canonical import AmbiguousPath, canonical_path, decoded_path, raw_target
from burency_gateway.proxy import Upstreams, forward, send_problem
from burency_gateway.proxy.deadlines import Deadlines
from burency_gateway.proxy.direct_call import MAX_DIRECT_BODY, DirectCall, direct_body_length
from burency_gateway.routes import MatchedRoute, RouteTable
from burency_gateway.security import Authenticator, RateLimiter, RateLimitStatus, authorize

__all__ = ["GatewayCore", "canonical_scope"]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


_API_KEY_HEADER = b"x-burency-apikey"
MAX_SIGNED_BODY = 64 * 1024  # an API-key request's body is buffered to check its signature
_SIGNED_CACHE_SIZE = 8192  # identities whose header of the current second is kept
_NO_STORE = ((b"cache-control", b"no-store"),)


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


def canonical_scope(scope: Scope) -> tuple[Scope, str]:
    """``scope`` with ``path``/``raw_path`` as the canonical path, and that path: a copy,
    unless the client sent the canonical path already (then ``scope`` itself).

    The canonical (percent-encoded) string is what every check uses; ``raw_path`` is its
    bytes and ``path`` its decoded form, so whatever reads the scope downstream (the
    forwarder, the gateway's own app) sees the same path. Raises :class:`AmbiguousPath`.
    """
    raw = scope.get("raw_path")
    canonical = canonical_path(raw_target(scope["path"], raw))
    path, encoded = decoded_path(canonical), canonical.encode("ascii")
    if raw == encoded and path == scope["path"]:
        return scope, canonical  # canonical as sent: the copy would equal the scope
    return {**scope, "path": path, "raw_path": encoded}, canonical


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
    direct: Mapping[str, DirectRoutes] = field(default_factory=dict)
    """In-process services' direct routes by service name (embedded mode only)."""
    deadlines: Deadlines = field(default_factory=Deadlines, repr=False)
    """The direct calls' deadlines (one timer for all)."""
    _signed: dict[Identity, tuple[int, str]] = field(default_factory=dict, init=False, repr=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.fallback(scope, receive, send)
            return
        try:
            scope, canonical = canonical_scope(scope)
        except AmbiguousPath as exc:
            # ``instance`` stays empty: the refused path is not echoed back.
            request_id = scope.get("state", {}).get("request_id")
            await send_problem(send, exc, scope={}, request_id=request_id)
            return
        route = self.table.match(scope["method"], canonical)
        if route is None:
            await self.fallback(scope, receive, send)
            return
        await self._proxy(scope, receive, send, canonical, route)

    async def _proxy(
        self, scope: Scope, receive: Receive, send: Send, canonical: str, route: MatchedRoute
    ) -> None:
        """Authenticate, authorize, limit, then forward to ``route``'s service."""
        state = scope.setdefault("state", {})
        state["route"] = route.service.route_label
        try:
            body = b""
            api_key = _header(scope, _API_KEY_HEADER) is not None
            if api_key:
                body = await _read_body(receive, MAX_SIGNED_BODY)
                receive = _replaying(body, receive)
            identity, limits = await self._admit(scope, canonical, route, body, api_key=api_key)
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
        if identity is not None:
            state["user_id"] = identity.user_id
        added = limits.raw_headers()
        if identity is not None:
            added = (*added, *_NO_STORE)
        call = self._direct_call(scope, route, identity)
        if call is not None and (body or direct_body_length(scope) is not None):
            if not body:
                try:
                    body = await _read_body(receive, MAX_DIRECT_BODY)
                except PayloadTooLarge as exc:  # cannot pass the declared length; answered anyway
                    await send_problem(send, exc, scope=scope, request_id=state.get("request_id"))
                    return
                except BurencyError:
                    return  # the client went away mid-body (its declared length is in bounds)
                receive = _replaying(body, receive)
            if await call.answer(scope, body, send, state.get("request_id"), added):
                return
        extra = {}
        if identity is not None:
            extra[IDENTITY_HEADER] = self._identity_header(identity)
        await forward(
            scope,
            receive,
            self._with_headers(send, added),
            pool=pool,
            upstream_path=route.upstream_path,
            timeout=route.timeout,
            extra_headers=extra,
        )

    def _direct_call(
        self, scope: Scope, route: MatchedRoute, identity: Identity | None
    ) -> DirectCall | None:
        """The in-process service's direct route for this request, if it has one."""
        routes = self.direct.get(route.service.name)
        if routes is None:
            return None
        found = routes.match(scope["method"], route.upstream_path)
        if found is None:
            return None
        return DirectCall(found[0], found[1], route, identity, self.deadlines)

    async def _admit(
        self, scope: Scope, canonical: str, route: MatchedRoute, body: bytes, *, api_key: bool
    ) -> tuple[Identity | None, RateLimitStatus]:
        client_ip = _client_ip(scope)
        # only an API key's signature covers headers: a bearer request's are not copied
        headers = (
            {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            if api_key
            else {}
        )
        identity = await self.authenticator.authenticate(
            _header(scope, b"authorization"),
            method=scope["method"],
            path=canonical,
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
            client_ip=client_ip,
        )
        authorize(route, identity)
        limits = await self.limiter.check(
            route.rate_class,
            ip=client_ip,
            user_id=identity.user_id if identity else None,
        )
        return identity, limits

    def _identity_header(self, identity: Identity) -> str:
        """The signed identity header: the same bytes for the same identity within a
        second (it is signed with whole-second ``iat``), so it is signed once per second."""
        now = self.clock()
        second = math.floor(now.timestamp())
        known = self._signed.get(identity)
        if known is not None and known[0] == second:
            return known[1]
        header = sign_identity(identity, secret=self.identity_secret, now=now)
        if len(self._signed) >= _SIGNED_CACHE_SIZE:
            self._signed.clear()
        self._signed[identity] = (second, header)
        return header

    @staticmethod
    def _with_headers(send: Send, added: tuple[tuple[bytes, bytes], ...]) -> Send:
        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_missing_headers(message, added)
            await send(message)

        return send_with_limits
