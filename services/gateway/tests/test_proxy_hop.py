"""The aiohttp upstream hop against a scripted raw-socket upstream: what goes out, what
comes back, and how each failure counts."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from burency_gateway.proxy import Instance, UpstreamPool, forward

Script = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def scripted(script: Script) -> AsyncIterator[tuple[str, list[bytes]]]:
    """A loopback server that reads each request head and lets ``script`` answer it."""
    heads: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                heads.append(head)
                await script(head, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", heads
    finally:
        server.close()


async def proxy(
    target: str | Instance,
    path: str = "/x",
    *,
    timeout: float = 2.0,
    headers: list[tuple[bytes, bytes]] | None = None,
    raw: bytes | None = None,
    query: bytes = b"",
) -> tuple[list[dict[str, Any]], Instance]:
    """One bodiless GET through ``forward`` with a bare scope: no client default headers.

    A URL gets a fresh instance, closed afterwards; an instance is left open.
    """
    instance = Instance.http(target) if isinstance(target, str) else target
    pool = UpstreamPool("svc", [instance], health_path=None)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/svc" + path,
        "raw_path": ("/api/svc" + path).encode() if raw is None else raw,
        "query_string": query,
        "headers": [(b"host", b"gw"), (b"x-only", b"this"), *(headers or [])],
        "client": ("127.0.0.1", 5000),
        "scheme": "http",
    }
    try:
        await forward(scope, receive, send, pool=pool, upstream_path=path, timeout=timeout)
    finally:
        if isinstance(target, str):
            await pool.stop()
    return sent, instance


def respond(head: bytes, body: bytes = b"") -> Script:
    async def script(_: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(head + b"content-length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()

    return script


async def test_no_client_defaults_reach_the_upstream_and_nothing_is_decompressed() -> None:
    packed = gzip.compress(b"hello " * 100)
    answer = respond(b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\nset-cookie: s=1\r\n", packed)
    async with scripted(answer) as (url, heads):
        instance = Instance.http(url)
        assert instance._hop is None  # nothing before the first request
        try:
            first, _ = await proxy(instance)
            second, _ = await proxy(instance)
        finally:
            await instance.aclose()
        assert instance._hop is None
    lines = heads[0].decode("latin-1").lower().split("\r\n")
    names = sorted(line.split(":")[0] for line in lines[1:] if line)
    assert lines[0] == "get /x http/1.1"
    forwarded = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-prefix", "x-forwarded-proto"]
    assert names == ["host", *forwarded, "x-only"]
    assert len(heads) == 2
    assert b"cookie" not in heads[1].lower()  # no jar: s=1 was not replayed
    assert first[0]["status"] == 200
    assert (b"content-encoding", b"gzip") in first[0]["headers"]
    assert b"".join(m.get("body", b"") for m in first[1:]) == packed
    assert second[0]["status"] == 200


async def test_a_redirect_is_passed_on_not_followed() -> None:
    answer = respond(b"HTTP/1.1 302 Found\r\nlocation: /elsewhere\r\n")
    async with scripted(answer) as (url, heads):
        sent, _ = await proxy(url)
    assert sent[0]["status"] == 302
    assert len(heads) == 1


async def test_upstream_gone_mid_body_truncates_and_counts_a_failure() -> None:
    async def script(_: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789")
        await writer.drain()
        writer.transport.abort()

    async with scripted(script) as (url, _):
        sent, instance = await proxy(url)
    assert sent[0]["status"] == 200
    assert sent[-1].get("more_body", True)  # never finished: the server drops the client
    assert instance.consecutive_failures == 1
    assert instance.in_flight == 0


async def test_a_stalled_body_times_out_without_blaming_the_instance() -> None:
    async def script(_: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789")
        await writer.drain()
        await asyncio.sleep(1.0)  # longer than the read timeout below

    async with scripted(script) as (url, _):
        sent, instance = await proxy(url, timeout=0.3)
    assert sent[0]["status"] == 200
    assert sent[-1].get("more_body", True)
    assert instance.consecutive_failures == 0
    assert instance.in_flight == 0


async def test_a_refused_connection_is_retried_for_a_post_and_blamed() -> None:
    answer = respond(b"HTTP/1.1 201 Created\r\n", b"ok")
    async with scripted(answer) as (url, heads):
        closed = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = closed.sockets[0].getsockname()[1]
        closed.close()
        await closed.wait_closed()
        dead, live = Instance.http(f"http://127.0.0.1:{port}"), Instance.http(url)
        pool = UpstreamPool("svc", [dead, live], health_path=None)
        messages = [{"type": "http.request", "body": b"{}", "more_body": False}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, object]:
            return messages.pop(0)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/api/svc/o",
            "query_string": b"",
            "headers": [(b"content-length", b"2")],
            "client": None,
            "scheme": "http",
        }
        try:
            await forward(scope, receive, send, pool=pool, upstream_path="/o", timeout=2)
        finally:
            await pool.stop()
    assert sent[0]["status"] == 201
    assert len(heads) == 1
    assert (dead.consecutive_failures, live.consecutive_failures) == (1, 0)


async def test_target_and_header_bytes_reach_the_upstream_as_httpx_sent_them() -> None:
    answer = respond(b"HTTP/1.1 204 No Content\r\n")
    odd = [(b"x-latin", b"caf\xe9"), (b"x-utf", "café €".encode())]
    async with scripted(answer) as (url, heads):
        await proxy(url, "/k%41/%2e%2e/a%zz", query=b"q=%7e+~&r=a%2Fb")  # verbatim
        await proxy(url, "/a b/./c", raw=b"", query=b"q=x y")  # normalised, like httpx
        await proxy(url, headers=odd[1:])  # UTF-8: aiohttp writes it back unchanged
        await proxy(url, headers=odd)  # not UTF-8: sent through httpx, bytes intact
    lines = [head.split(b"\r\n") for head in heads]
    assert lines[0][0] == b"GET /k%41/%2e%2e/a%zz?q=%7e+~&r=a%2Fb HTTP/1.1"
    assert lines[1][0] == b"GET /a%20b/c?q=x%20y HTTP/1.1"
    assert "x-utf: café €".encode() in lines[2]
    assert b"x-latin: caf\xe9" in lines[3]
    assert "x-utf: café €".encode() in lines[3]
