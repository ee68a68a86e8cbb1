"""The streaming ASGI forwarder: one client request to one chosen upstream instance.

Bodies are streamed both ways: the request body is an async iterator over ASGI
``receive`` handed to the instance's client (aiohttp for an HTTP instance, httpx for an
embedded one, see :mod:`burency_gateway.proxy.hop`), the response comes back unread and
is relayed chunk by chunk as received, so a 20 MB upload or download never sits whole
in gateway memory (and a compressed body passes through still compressed).

Deadline: ``timeout`` (the route's) bounds everything up to the upstream's response
headers, retries included: connecting, sending the body, waiting for the answer. When
it passes the client gets a 504 at once, not when the upstream eventually answers.
After the headers, ``timeout`` applies to each read of the body (inactivity).

Retry rule. An attempt that failed with a transport error is retried on another
instance (at most ``min(len(instances), 3)`` attempts in all, within the deadline) only
when all of these hold:

* nothing was sent to the client yet (always true: retries happen before the response
  starts, and a failure while streaming the response ends the connection);
* no byte of the request body was read from the client (a bodiless request, or a
  failure before the client started sending the body), since the body is not buffered
  and cannot be replayed;
* either the request never left the gateway (no connection: httpx ``ConnectError``,
  ``ConnectTimeout``, ``PoolTimeout``; aiohttp ``ClientConnectorError``,
  ``ConnectionTimeoutError``; so safe for any method, POST included), or the method
  is idempotent (GET, HEAD, OPTIONS, PUT, DELETE) so a repeat is harmless. A POST or
  PATCH whose connection broke after sending (reset, closed without answer) is never
  retried: the upstream may have acted on it; the client gets a 502.

Timeouts are never retried (the deadline is shared). A 502/503 answer from an upstream
is passed on as is (and counted as a failure of that instance), not retried.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import unquote

from starlette.types import Receive, Scope, Send

from burency_common.errors import (
    PROBLEM_JSON,
    BurencyError,
    ServiceUnavailable,
    UpstreamFailed,
    UpstreamTimeout,
)
from burency_common.logging import get_logger
from burency_gateway.proxy.headers import (
    forwarded_for,
    request_headers,
    response_headers,
)
from burency_gateway.proxy.hop import Answer, HopError
from burency_gateway.proxy.instance import Instance
from burency_gateway.proxy.pool import UpstreamPool

__all__ = ["IDEMPOTENT_METHODS", "MAX_ATTEMPTS", "ClientDisconnected", "forward", "send_problem"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_ATTEMPTS = 3
_FAILURE_STATUSES = frozenset({502, 503})
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})
_PROBLEM_CONTENT_TYPE = (b"content-type", PROBLEM_JSON.encode("latin-1"))
_log = get_logger("burency.gateway.proxy")


class ClientDisconnected(Exception):
    """The client went away while its request body was being streamed upstream."""


class _Unreachable(Exception):
    """Every allowed attempt failed before an answer; ``last`` is the final error."""

    def __init__(self, last: HopError | None) -> None:
        super().__init__(repr(last))
        self.last = last


class _RequestBody:
    """The client's body as a one-shot stream that knows whether a byte was taken."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._ended = False
        self.bytes_read = 0
        self.client_gone = False

    async def stream(self) -> AsyncIterator[bytes]:
        while not self._ended:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                # An embedded app may swallow this and answer 500: the flag still tells.
                self.client_gone = True
                raise ClientDisconnected
            chunk: bytes = message.get("body", b"")
            self._ended = not message.get("more_body", False)
            if chunk:
                self.bytes_read += len(chunk)
                yield chunk


@dataclass(frozen=True, slots=True)
class _Outgoing:
    """Everything about the request that is the same for every attempt."""

    method: str
    target: str
    headers: list[tuple[bytes, bytes]]
    body: _RequestBody | None
    timeout: float

    @property
    def client_gone(self) -> bool:
        return self.body is not None and self.body.client_gone


async def forward(
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    pool: UpstreamPool,
    upstream_path: str,
    timeout: float,  # noqa: ASYNC109 - the route's deadline, applied with asyncio.timeout
    extra_headers: Mapping[str, str] = _NO_HEADERS,
    strip_headers_prefixes: Sequence[str] = ("x-burency-",),
    forwarded_prefix: str | None = None,
) -> None:
    """Proxy one HTTP request (``scope``) to an instance of ``pool``.

    ``upstream_path`` is the path after ``/api/<service>``: the gateway passes the rest of
    the canonical path (already percent-encoded, ``scope["raw_path"]`` is that same
    canonical path), which goes out byte for byte. ``forwarded_prefix`` (sent
    as ``X-Forwarded-Prefix``) defaults to ``/api/<pool.service>``. Incoming headers
    starting with any of ``strip_headers_prefixes`` are dropped, then ``extra_headers``
    (the verified identity) are added. Failures become problem+json: 503 when the pool
    is empty, 502 when no instance could answer, 504 past ``timeout``.
    """
    prefix = forwarded_prefix or f"/api/{pool.service}"
    fwd = forwarded_for(scope, prefix)
    if not pool.instances:
        empty = ServiceUnavailable(f"the {pool.service} service has no instances")
        await send_problem(send, empty, scope=scope, request_id=fwd.request_id)
        return
    strip = tuple(p.lower().encode("latin-1") for p in strip_headers_prefixes)
    headers, has_body = request_headers(
        scope["headers"], fwd, extra_headers=extra_headers, strip_prefixes=strip
    )
    outgoing = _Outgoing(
        method=scope["method"],
        target=_target(scope, upstream_path, prefix),
        headers=headers,
        body=_RequestBody(receive) if has_body else None,
        timeout=timeout,
    )
    try:
        async with asyncio.timeout(timeout):
            instance, response = await _exchange(pool, outgoing)
    except (ClientDisconnected, TimeoutError, _Unreachable) as exc:
        if not outgoing.client_gone:  # nobody is left to answer otherwise
            error = _problem_for(pool.service, exc, timeout)
            _log.warning("proxy.failed", service=pool.service, code=error.code, cause=repr(exc))
            await send_problem(send, error, scope=scope, request_id=fwd.request_id)
        return
    await _relay(send, pool, instance, response, discard=outgoing.client_gone)


def _target(scope: Scope, upstream_path: str, prefix: str) -> str:
    """Path and query for the upstream, keeping the client's percent-encoding when known."""
    path = upstream_path
    raw = scope.get("raw_path")
    encoded_prefix = prefix.encode("latin-1")
    if isinstance(raw, bytes) and raw.startswith(encoded_prefix):
        rest = raw[len(encoded_prefix) :].decode("latin-1") or "/"
        if rest.startswith("/") and (rest == upstream_path or unquote(rest) == upstream_path):
            path = rest
    query: bytes = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


async def _exchange(pool: UpstreamPool, outgoing: _Outgoing) -> tuple[Instance, Answer]:
    """Attempts on distinct instances until one answers (see the module's retry rule)."""
    tried: list[Instance] = []
    last: HopError | None = None
    for _ in range(min(len(pool.instances), MAX_ATTEMPTS)):
        instance = pool.choose(tried)
        if instance is None:
            break
        tried.append(instance)
        try:
            return instance, await _attempt(pool, instance, outgoing)
        except HopError as exc:
            last = exc
            _log.warning(
                "proxy.attempt_failed",
                service=pool.service,
                instance=instance.url,
                error=exc.name,
            )
            if not _may_retry(outgoing, exc):
                break
    raise _Unreachable(last)


def _may_retry(outgoing: _Outgoing, exc: HopError) -> bool:
    if outgoing.body is not None and outgoing.body.bytes_read:
        return False  # the body is streamed, not buffered: it cannot be sent again
    return exc.never_sent or outgoing.method in IDEMPOTENT_METHODS


async def _attempt(pool: UpstreamPool, instance: Instance, outgoing: _Outgoing) -> Answer:
    body = outgoing.body
    instance.in_flight += 1
    try:
        response = await instance.exchange(
            outgoing.method,
            outgoing.target,
            outgoing.headers,
            body.stream() if body is not None else None,
            outgoing.timeout,
        )
    except BaseException as exc:
        instance.in_flight -= 1
        if outgoing.client_gone and isinstance(exc, Exception):
            # aiohttp reports the body stream's ClientDisconnected as a connection error:
            # the client left, which says nothing about the instance.
            raise ClientDisconnected from exc
        if isinstance(exc, HopError) and exc.blame:
            pool.record_failure(instance)  # a full local pool says nothing about the instance
        raise
    if response.status_code in _FAILURE_STATUSES:
        pool.record_failure(instance)
    else:
        pool.record_success(instance)
    return response


async def _relay(
    send: Send, pool: UpstreamPool, instance: Instance, response: Answer, *, discard: bool
) -> None:
    """Stream the upstream's answer to the client; the instance stays in flight until done.

    If the upstream breaks off mid-body the response cannot be turned into a problem any
    more: we return without finishing it, and the server closes the client's connection,
    which is how a truncated response must look. ``discard``: the client is gone (an
    embedded app may still have answered), so the answer is only closed.
    """
    try:
        if discard:
            return
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": response_headers(response.raw_headers()),
            }
        )
        more = True
        async for chunk in response.aiter_raw():
            if chunk:  # the last one, when already complete, also ends the response
                more = not response.complete
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
        if more:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    except (HopError, TimeoutError) as exc:
        if isinstance(exc, HopError) and exc.blame:
            pool.record_failure(instance)
        _log.warning(
            "proxy.response_aborted",
            service=pool.service,
            instance=instance.url,
            error=exc.name if isinstance(exc, HopError) else type(exc.__cause__ or exc).__name__,
        )
    finally:
        instance.in_flight -= 1
        await response.aclose()


def _problem_for(service: str, exc: BaseException, timeout: float) -> BurencyError:
    if isinstance(exc, TimeoutError):
        return UpstreamTimeout(f"the {service} service did not answer within {timeout:g} s")
    if isinstance(exc, _Unreachable) and not (exc.last is not None and exc.last.never_sent):
        return UpstreamFailed(f"the {service} service failed before answering")
    return UpstreamFailed(f"the {service} service could not be reached")


async def send_problem(
    send: Send,
    error: BurencyError,
    *,
    scope: Scope,
    request_id: str | None,
    extra_headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """Answer with ``error`` as ``application/problem+json`` (RFC 9457); each of
    ``extra_headers`` (lower-case) the error does not carry itself is added after its own."""
    problem = error.to_problem(request_id=request_id, instance=scope.get("path"))
    body = json.dumps(problem, separators=(",", ":")).encode()
    headers = [_PROBLEM_CONTENT_TYPE, (b"content-length", str(len(body)).encode("latin-1"))]
    if error.headers:
        headers += [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in error.headers.items()
        ]
    if extra_headers:
        present = {name for name, _ in headers}
        headers += [(name, value) for name, value in extra_headers if name not in present]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
