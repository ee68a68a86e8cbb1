"""Browser-facing hardening: security response headers, request body limits, CORS options.

Both middlewares are plain ASGI (not ``BaseHTTPMiddleware``) so streamed request and
response bodies stay streamed: the body limit counts bytes as they pass instead of
buffering an upload to measure it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from burency_common.errors import PROBLEM_JSON, BadRequest, BurencyError, PayloadTooLarge
from burency_common.logging import get_logger
from burency_common.web.raw_headers import add_missing_headers, encode_headers

__all__ = [
    "DEFAULT_CONTENT_SECURITY_POLICY",
    "HSTS_VALUE",
    "BodySizeLimitMiddleware",
    "RequestBodyTooLarge",
    "SecurityHeadersMiddleware",
    "cors_middleware_kwargs",
]

DEFAULT_CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
"""For a React SPA served from the gateway's origin, Socket.IO over ws/wss included.

No ``'unsafe-inline'``/``'unsafe-eval'``: a production bundle (Vite/CRA) needs neither,
and they are what would turn an injected string into running script.
"""

HSTS_VALUE = "max-age=63072000; includeSubDomains"
_log = get_logger("burency.gateway.security")


def _is_https(scope: Scope) -> bool:
    # Trusting a client-sent X-Forwarded-Proto here is harmless: browsers ignore HSTS
    # received over plain http, so the worst outcome is an ignored header.
    if scope.get("scheme") == "https":
        return True
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-proto":
            proto: str = value.decode("latin-1")
            return proto.split(",", maxsplit=1)[0].strip().lower() == "https"
    return False


class SecurityHeadersMiddleware:
    """Adds security headers to every HTTP response that does not set them itself.

    Routes that genuinely need something else (API docs pulling a CDN script) can
    set their own ``Content-Security-Policy``; it is not overwritten.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        content_security_policy: str = DEFAULT_CONTENT_SECURITY_POLICY,
        hsts: str = HSTS_VALUE,
    ) -> None:
        self.app = app
        self._headers = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Content-Security-Policy": content_security_policy,
        }
        self._hsts = hsts
        self._raw = encode_headers(self._headers.items())
        self._raw_https = (*self._raw, *encode_headers([("Strict-Transport-Security", hsts)]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = self._raw_https if _is_https(scope) else self._raw

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_missing_headers(message, added)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _limit_for(path: str, default: int, overrides: Sequence[tuple[str, int]]) -> int:
    for prefix, limit in overrides:  # longest prefix first
        if path == prefix or path.startswith(prefix + "/"):
            return limit
    return default


def _length_of(values: Sequence[bytes]) -> int | None:
    """The request's ``Content-Length`` values (in order) as an int; ``None`` if absent;
    ``BadRequest`` if not one and the same number."""
    if not values:
        return None
    text = values[0].decode("latin-1").strip()
    if not text.isdigit() or any(v != values[0] for v in values) or len(text) > 18:
        raise BadRequest("Content-Length is invalid", code="INVALID_CONTENT_LENGTH")
    return int(text)


def _length_refusal(values: Sequence[bytes], limit: int) -> BurencyError | None:
    """Why a request's declared ``Content-Length`` values are refused before its body is
    read (invalid, or over ``limit``), or None. Shared by both body-limit middlewares."""
    try:
        declared = _length_of(values)
    except BadRequest as exc:
        return exc
    return _too_large(limit) if declared is not None and declared > limit else None


async def _send_problem(scope: Scope, send: Send, error: BurencyError) -> None:
    request_id = scope.get("state", {}).get("request_id")
    body = error.to_problem(request_id=request_id, instance=scope.get("path"))
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"),  # the rest of the body is not read
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class RequestBodyTooLarge(HTTPException):
    """Raised from ``receive()`` once a streamed body passes its limit.

    An ``HTTPException`` on purpose: FastAPI re-raises those from body parsing (any
    other exception would become a 400), and a Burency app renders it as a 413
    ``PAYLOAD_TOO_LARGE`` problem by itself. Whatever escapes the app is rendered by
    :class:`BodySizeLimitMiddleware`.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds the limit of {limit} bytes")
        self.limit = limit


def _body_error(exc: Exception) -> RequestBodyTooLarge | None:
    """The body-limit signal in ``exc``, also when a task group wrapped it."""
    if isinstance(exc, RequestBodyTooLarge):
        return exc
    if isinstance(exc, ExceptionGroup):
        matched, rest = exc.split(RequestBodyTooLarge)
        while rest is None and isinstance(matched, ExceptionGroup):
            first = matched.exceptions[0]
            if isinstance(first, RequestBodyTooLarge):
                return first
            matched = first if isinstance(first, ExceptionGroup) else None
    return None


class BodySizeLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` (per path prefix overrides) with 413.

    A declared ``Content-Length`` over the limit is refused before the app runs. A
    chunked (or lying) body is counted as it streams, never buffered: once over, the
    app's next ``receive()`` raises :class:`RequestBodyTooLarge` and, unless the app
    already started a response, the client gets a 413 problem+json. Apps must let
    that exception propagate (a proxy must not turn it into a 502).
    Overrides match whole path segments: ``/api/files`` covers ``/api/files/x`` but
    not ``/api/filesystem``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = 1024 * 1024,
        overrides: Mapping[str, int] | None = None,
    ) -> None:
        if max_bytes < 0 or any(v < 0 for v in (overrides or {}).values()):
            raise ValueError("body size limits must not be negative")
        self.app = app
        self._default = max_bytes
        self._overrides = sorted(
            ((p.rstrip("/") or "/", v) for p, v in (overrides or {}).items()),
            key=lambda item: len(item[0]),
            reverse=True,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _limit_for(scope.get("path", ""), self._default, self._overrides)
        lengths = [v for k, v in scope.get("headers", ()) if k == b"content-length"]
        refusal = _length_refusal(lengths, limit)
        if refusal is not None:
            await _send_problem(scope, send, refusal)
            return
        await self._guarded(scope, receive, send, limit)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        state: dict[str, Any] = {"received": 0, "started": False}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    raise RequestBodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception as exc:
            error = _body_error(exc)
            if error is None:
                raise
            if state["started"]:
                _log.warning("request.body_too_large_after_response_start")
                return
            await _send_problem(scope, send, _too_large(error.limit))


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"request body exceeds the limit of {limit} bytes")


def _check_origin(origin: str) -> str:
    parts = urlsplit(origin)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or "*" in origin
    ):
        raise ValueError(f"invalid CORS origin {origin!r}: use scheme://host[:port]")
    return f"{parts.scheme}://{parts.netloc}"


def cors_middleware_kwargs(allowed_origins: Sequence[str] = ()) -> dict[str, Any]:
    """Keyword arguments for Starlette's ``CORSMiddleware``; no origins = no cross-origin.

    Explicit origins only (wildcards are refused): the SPA is served from the
    gateway's own origin and needs no CORS at all. Credentials (cookies) are not
    allowed cross-origin; API clients send bearer tokens, which CORS does not
    attach on its own.
    """
    return {
        "allow_origins": [_check_origin(o) for o in allowed_origins],
        "allow_credentials": False,
        "allow_methods": ["GET", "POST", "PUT", "PATCH", "DELETE"],
        "allow_headers": [
            "Authorization",
            "Content-Type",
            "Idempotency-Key",
            "X-Request-ID",
        ],
        "expose_headers": [
            "X-Request-ID",
            "Retry-After",
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
        ],
        "max_age": 600,
    }
