"""The gateway's security headers and request body limit as one middleware.

``SecurityHeadersMiddleware(BodySizeLimitMiddleware(app))`` wrapped ``send`` twice per
request (one closure adding the headers, one noting that the response started) and
every response message passed through both; on the order lane, thousands of requests a
second, those wrappers were a few percent of the event loop. :class:`EdgeMiddleware`
answers exactly as that pair does (same headers, same 400/413 problems, same streamed
counting; the tests drive both with the same requests) with one ``send`` and one
``receive`` wrapper. With CORS configured the gateway keeps the pair, CORS between
them, so CORS sees what it saw before.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from burency_common.web.raw_headers import add_missing_headers
from burency_gateway.security.headers import (
    DEFAULT_CONTENT_SECURITY_POLICY,
    HSTS_VALUE,
    BodySizeLimitMiddleware,
    RequestBodyTooLarge,
    SecurityHeadersMiddleware,
    _body_error,
    _length_refusal,
    _limit_for,
    _log,
    _send_problem,
    _too_large,
)

__all__ = ["EdgeMiddleware"]

RawHeader = tuple[bytes, bytes]


def _scan(scope: Scope) -> tuple[bool, list[bytes]]:
    """Whether the request came over HTTPS (as ``_is_https`` decides) and its
    ``Content-Length`` values, in one pass over the headers."""
    https = scope.get("scheme") == "https"
    proto_seen = https
    lengths: list[bytes] = []
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            lengths.append(value)
        elif name == b"x-forwarded-proto" and not proto_seen:
            proto_seen = True
            https = value.decode("latin-1").split(",", maxsplit=1)[0].strip().lower() == "https"
    return https, lengths


def _add_missing(message: Message, added: tuple[RawHeader, ...], names: frozenset[bytes]) -> None:
    """``add_missing_headers``, appending ``added`` at once when the answer sets none of
    ``names`` (the usual case: an API answer sets no security header itself)."""
    raw = list(message.get("headers", ()))
    for name, _ in raw:
        if name.lower() in names:
            add_missing_headers(message, added)
            return
    raw += added
    message["headers"] = raw


class EdgeMiddleware:
    """``SecurityHeadersMiddleware(BodySizeLimitMiddleware(app, ...), ...)`` in one."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = 1024 * 1024,
        overrides: Mapping[str, int] | None = None,
        content_security_policy: str = DEFAULT_CONTENT_SECURITY_POLICY,
        hsts: str = HSTS_VALUE,
    ) -> None:
        self.app = app
        # the pair's own constructors validate and prepare the settings, once
        limits = BodySizeLimitMiddleware(app, max_bytes=max_bytes, overrides=overrides)
        headers = SecurityHeadersMiddleware(
            app, content_security_policy=content_security_policy, hsts=hsts
        )
        self._default, self._overrides = limits._default, limits._overrides
        self._raw, self._raw_https = headers._raw, headers._raw_https
        self._names = frozenset(name for name, _ in self._raw_https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https, lengths = _scan(scope)
        added = self._raw_https if https else self._raw
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                _add_missing(message, added, self._names)
            await send(message)

        limit = _limit_for(scope.get("path", ""), self._default, self._overrides)
        refusal = _length_refusal(lengths, limit)
        if refusal is not None:
            await _send_problem(scope, send_with_headers, refusal)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestBodyTooLarge(limit)
            return message

        try:
            await self.app(scope, counting_receive, send_with_headers)
        except Exception as exc:
            error = _body_error(exc)
            if error is None:
                raise
            if started:
                _log.warning("request.body_too_large_after_response_start")
                return
            await _send_problem(scope, send_with_headers, _too_large(error.limit))
