"""The embedded hop without httpx: one proxied request straight into an in-process app.

An embedded instance used to be reached through :class:`httpx.ASGITransport`, which
needs an :class:`httpx.Request` first: parsing and re-quoting the URL and building
header objects cost ~90 µs a request, more than the gateway's own checks
(``bench/trading_gateway.py``). :func:`asgi_exchange` builds the ASGI scope itself and
behaves exactly as httpx's transport did with ``raise_app_exceptions=False``:

* the scope httpx built: ``Host`` first (then ``Content-Length: 0`` for a bodiless
  POST/PUT/PATCH), the headers as given, ``Transfer-Encoding: chunked`` last for a body
  without ``Content-Length``; ``path`` percent-decoded, ``raw_path`` and ``query_string``
  as sent; ``server`` the instance's name and no port; client ``127.0.0.1:123``;
* the body streamed in chunk by chunk (``more_body`` until an empty last message), then
  ``http.disconnect`` once the answer is complete;
* the answer buffered whole (none for HEAD), the app's exception a 500 with no header.

Only targets that httpx would have sent unchanged take this hop (:func:`plain_target`,
the rule :func:`~burency_gateway.proxy.hop.upstream_url` uses); any other goes through
httpx as before, so both always build the same request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any
from urllib.parse import unquote

from starlette.types import ASGIApp, Message

from burency_gateway.proxy.hop import _PLAIN_TARGET, Answer

__all__ = ["AsgiAnswer", "asgi_exchange", "plain_target"]

_CLIENT = ("127.0.0.1", 123)
_BODY_METHODS = ("POST", "PUT", "PATCH")


def plain_target(target: str) -> bool:
    """Whether httpx would send ``target`` exactly as given (no re-quoting, no dots)."""
    return _PLAIN_TARGET.fullmatch(target) is not None and "/." not in target


class AsgiAnswer(Answer):
    """The app's whole answer (an embedded app's answer was always buffered)."""

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code = status
        self._headers = headers
        self._body = body

    def raw_headers(self) -> Iterable[tuple[bytes, bytes]]:
        return self._headers

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        yield self._body

    async def aclose(self) -> None:
        return None


def _scope(
    host: str, method: str, target: str, headers: list[tuple[bytes, bytes]], has_body: bool
) -> dict[str, Any]:
    path, _, query = target.partition("?")
    names = {name.lower() for name, _ in headers}
    auto = [(b"host", host.encode("ascii"))]
    sized = b"content-length" in names or b"transfer-encoding" in names
    if not has_body and not sized and method in _BODY_METHODS:
        auto.append((b"content-length", b"0"))
    out = [*auto, *((name.lower(), value) for name, value in headers)]
    if has_body and not sized:
        out.append((b"transfer-encoding", b"chunked"))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "headers": out,
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode("ascii"),
        "query_string": query.encode("ascii"),
        "server": (host, None),
        "client": _CLIENT,
        "root_path": "",
    }


async def asgi_exchange(
    app: ASGIApp,
    host: str,
    *,
    method: str,
    target: str,
    headers: list[tuple[bytes, bytes]],
    content: AsyncIterable[bytes] | None,
) -> AsgiAnswer:
    """Run ``app`` for one request (``target``: a :func:`plain_target`) and buffer its answer."""
    # httpx streamed a bodiless request as one empty chunk: b"" (more), then b"" (last)
    chunks = (content if content is not None else _one_empty()).__aiter__()
    request_done = False
    complete = asyncio.Event()
    status: int | None = None
    answer_headers: list[tuple[bytes, bytes]] | None = None
    parts: list[bytes] = []

    async def receive() -> Message:
        nonlocal request_done
        if request_done:
            await complete.wait()
            return {"type": "http.disconnect"}
        try:
            body = await chunks.__anext__()
        except StopAsyncIteration:
            request_done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": body, "more_body": True}

    async def send(message: Message) -> None:
        nonlocal status, answer_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            answer_headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            if body and method != "HEAD":
                parts.append(body)
            if not message.get("more_body", False):
                complete.set()

    try:
        await app(_scope(host, method, target, headers, content is not None), receive, send)
    except Exception:  # the app's failure is its 500, as httpx's transport answered it
        complete.set()
        status = 500 if status is None else status
        answer_headers = [] if answer_headers is None else answer_headers
    assert status is not None, "the app finished without answering"
    assert answer_headers is not None
    return AsgiAnswer(status, answer_headers, b"".join(parts))


async def _one_empty() -> AsyncIterator[bytes]:
    yield b""
