"""In-process routes: a service's hot endpoint called by the embedded gateway directly.

In embedded mode the gateway and every service share one process, and a request to a
service still crossed a second request pipeline behind the gateway's: the service's
own ASGI stack (request id, access log and metrics again, Starlette's and FastAPI's
middleware, routing, the signed identity header verified again). For the order path,
the one a trading bot hits thousands of times a second, that pipeline cost more CPU
than matching and journaling (docs/trading/performance.md). A service may therefore
offer a few **direct routes**: plain async functions the gateway calls after it has
done everything it does for any request (canonical path, route table, authentication,
authorisation, rate limits, body size limit, request id, security headers, access log).

What crosses is a :class:`DirectRequest`: the service's own path (the gateway's
upstream path), query, headers, the body, and the **verified** :class:`Identity` as an
object. The signed identity header exists to protect a network hop between gateway and
service; inside one process there is none, and the object is what the header would
carry. The handler applies the same checks as the service's HTTP route (scopes,
verified e-mail) and the same service functions.

A handler answers a :class:`DirectResponse`, raises a
:class:`~burency_common.errors.BurencyError` (answered as problem+json, ``instance`` the
service's path, as the service's app would), or returns ``None``: "not the plain case,
let the service's app answer" (a body only FastAPI's validation can explain, another
content type). The gateway then forwards the request as usual, the body it already
read replayed, so every validation error stays the service's own, byte for byte.
In distributed mode there are no direct routes: the service runs elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from burency_common.identity import Identity

__all__ = [
    "DirectHandler",
    "DirectRequest",
    "DirectResponse",
    "DirectRoute",
    "DirectRoutes",
]


@dataclass(frozen=True, slots=True)
class DirectRequest:
    """One request as the service would have received it from the gateway."""

    method: str
    path: str  # the service's own path (``/v1/orders``), canonical
    query: bytes
    headers: Sequence[tuple[bytes, bytes]]  # lower-case names, as in an ASGI scope
    body: bytes
    identity: Identity | None  # verified by the gateway; None when anonymous
    params: dict[str, str] = field(default_factory=dict)  # the route pattern's groups

    def header(self, name: bytes) -> str | None:
        """The first value of header ``name`` (lower-case), or None."""
        for key, value in self.headers:
            if key == name:
                return value.decode("latin-1")
        return None


@dataclass(frozen=True, slots=True)
class DirectResponse:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


DirectHandler = Callable[[DirectRequest], Awaitable[DirectResponse | None]]


@dataclass(frozen=True, slots=True)
class DirectRoute:
    """``handler`` answers ``method`` on the service paths ``pattern`` matches in full."""

    method: str
    pattern: re.Pattern[str]
    handler: DirectHandler


class DirectRoutes:
    """One service's direct routes, matched by method then pattern."""

    def __init__(self, routes: Sequence[DirectRoute]) -> None:
        self._by_method: dict[str, list[DirectRoute]] = {}
        for route in routes:
            self._by_method.setdefault(route.method, []).append(route)

    def match(self, method: str, path: str) -> tuple[DirectRoute, dict[str, str]] | None:
        for route in self._by_method.get(method, ()):
            found = route.pattern.fullmatch(path)
            if found is not None:  # groups that took no part are left out
                return route, {k: v for k, v in found.groupdict().items() if v is not None}
        return None

    def __bool__(self) -> bool:
        return bool(self._by_method)
