"""Header rewriting for the proxy, in both directions.

Works on raw ASGI header lists (``list[tuple[bytes, bytes]]``, names lower-case) so a
request's headers are walked once and never decoded unless they must be.

Requests: hop-by-hop headers (RFC 9110 §7.6.1 and any named in ``Connection``) are
dropped, as are ``Host`` (the upstream URL sets it), ``Expect`` (the gateway's server
already answered ``100-continue``) and every header whose name starts with one of the
strip prefixes (``x-burency-``): identity headers are set by the gateway only, so a
client can never forge them. ``X-Forwarded-*`` and ``X-Request-ID`` are then set by the
gateway, and finally ``extra_headers`` (the verified identity) are added.

Responses: hop-by-hop headers are dropped, and so are ``Date`` and ``Server``, which the
gateway's own server stamps (uvicorn would otherwise send them twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HOP_BY_HOP",
    "ForwardedFor",
    "forwarded_for",
    "request_headers",
    "response_headers",
]

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Set (or appended to) by the gateway itself; a client's value is never passed as is.
_REPLACED = frozenset(
    {
        b"host",
        b"expect",
        b"x-forwarded-for",
        b"x-forwarded-host",
        b"x-forwarded-proto",
        b"x-forwarded-prefix",
        b"x-request-id",
    }
)
_RESPONSE_DROPPED = HOP_BY_HOP | {b"date", b"server"}


@dataclass(frozen=True, slots=True)
class ForwardedFor:
    """What the gateway knows about the incoming request, for ``X-Forwarded-*``."""

    client_ip: str | None
    proto: str
    host: str | None
    prefix: str
    request_id: str | None


def _connection_tokens(headers: Iterable[tuple[bytes, bytes]]) -> frozenset[bytes]:
    """Header names listed in ``Connection`` (they are hop-by-hop for this message)."""
    tokens: set[bytes] = set()
    for name, value in headers:
        if name == b"connection":
            tokens.update(t.strip().lower() for t in value.split(b",") if t.strip())
    return frozenset(tokens)


def request_headers(
    raw: Sequence[tuple[bytes, bytes]],
    forwarded: ForwardedFor,
    *,
    extra_headers: Mapping[str, str],
    strip_prefixes: tuple[bytes, ...],
) -> tuple[list[tuple[bytes, bytes]], bool]:
    """The headers to send upstream, and whether the request declares a body.

    A request has a body when it carries ``Content-Length`` (non-zero) or
    ``Transfer-Encoding``; without either, HTTP/1.1 says it has none.
    """
    dropped = HOP_BY_HOP | _REPLACED | _connection_tokens(raw)
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in extra_headers.items()]
    overridden = {name for name, _ in extra}
    out: list[tuple[bytes, bytes]] = []
    has_body = False
    prior_for: list[bytes] = []
    for name, value in raw:
        if name == b"content-length":
            has_body = has_body or value.strip() not in (b"", b"0")
        elif name == b"transfer-encoding":
            has_body = True
        elif name == b"x-forwarded-for":
            prior_for.append(value)
        if name in dropped or name in overridden or name.startswith(strip_prefixes):
            continue
        out.append((name, value))
    out.extend(_forwarded(forwarded, prior_for))
    out.extend(extra)
    return out, has_body


def _forwarded(fwd: ForwardedFor, prior_for: list[bytes]) -> list[tuple[bytes, bytes]]:
    chain = [v.strip() for v in prior_for if v.strip()]
    if fwd.client_ip:
        chain.append(fwd.client_ip.encode("latin-1"))
    out = [
        (b"x-forwarded-proto", fwd.proto.encode("latin-1")),
        (b"x-forwarded-prefix", fwd.prefix.encode("latin-1")),
    ]
    if chain:
        out.append((b"x-forwarded-for", b", ".join(chain)))
    if fwd.host:
        out.append((b"x-forwarded-host", fwd.host.encode("latin-1")))
    if fwd.request_id:
        out.append((b"x-request-id", fwd.request_id.encode("latin-1")))
    return out


def response_headers(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The upstream's response headers as the client may see them (names lower-cased)."""
    lowered = [(name.lower(), value) for name, value in raw]
    dropped = _RESPONSE_DROPPED | _connection_tokens(lowered)
    return [(name, value) for name, value in lowered if name not in dropped]


def forwarded_for(scope: Mapping[str, Any], prefix: str) -> ForwardedFor:
    """Read client address, scheme, host and request id from an ASGI HTTP scope.

    The request id is the one the request-context middleware put in
    ``scope["state"]["request_id"]``; failing that, the incoming ``X-Request-ID``.
    """
    client = scope.get("client")
    host: str | None = None
    request_id: str | None = None
    for name, value in scope.get("headers", ()):
        if name == b"host":
            host = value.decode("latin-1")
        elif name == b"x-request-id":
            request_id = value.decode("latin-1")
    state = scope.get("state")
    if isinstance(state, Mapping) and state.get("request_id"):
        request_id = str(state["request_id"])
    return ForwardedFor(
        client_ip=str(client[0]) if client else None,
        proto=str(scope.get("scheme", "http")),
        host=host,
        prefix=prefix,
        request_id=request_id,
    )
