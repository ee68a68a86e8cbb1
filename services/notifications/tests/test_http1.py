"""The FCM send transport (``Http1Pool``) against a real aiohttp server: keep-alive
reuse, chunked bodies, ``Connection: close``, the connection limit, and a server that
stops answering (timeout, the connection is not reused)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from burency_notifications.adapters.push.http1 import Http1Pool
from burency_testing.infra import free_port


class Upstream:
    def __init__(self) -> None:
        self.peers: set[object] = set()
        self.in_flight = 0
        self.most_in_flight = 0
        self.hang = asyncio.Event()

    async def echo(self, request: web.Request) -> web.Response:
        self.peers.add(request.transport.get_extra_info("peername") if request.transport else None)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        body = await request.read()
        return web.Response(body=b"got " + body, headers={"Retry-After": "3"})

    async def chunked(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for part in (b'{"name":', b'"projects/p/messages/1"}'):
            await response.write(part)
        await response.write_eof()
        return response

    async def close(self, request: web.Request) -> web.Response:
        return web.Response(body=b"bye", headers={"Connection": "close"})

    async def stuck(self, request: web.Request) -> web.Response:
        await self.hang.wait()
        return web.Response(body=b"late")


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[Upstream, str]]:
    up = Upstream()
    app = web.Application()
    app.router.add_post("/echo", up.echo)
    app.router.add_post("/chunked", up.chunked)
    app.router.add_post("/close", up.close)
    app.router.add_post("/stuck", up.stuck)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield up, f"http://127.0.0.1:{port}"
    up.hang.set()
    await runner.cleanup()


async def test_keep_alive_reuse_and_the_connection_limit(upstream: tuple[Upstream, str]) -> None:
    up, url = upstream
    pool = Http1Pool(url, size=4)
    try:
        answers = await asyncio.gather(
            *(pool.post("/echo", f"m{n}".encode(), {"X-N": str(n)}) for n in range(40))
        )
    finally:
        await pool.close()
    assert sorted(a.body for a in answers) == sorted(f"got m{n}".encode() for n in range(40))
    assert {a.status for a in answers} == {200}
    assert answers[0].headers["retry-after"] == "3"
    assert len(up.peers) <= 4  # 40 requests over at most 4 connections
    assert up.most_in_flight <= 4


async def test_chunked_and_connection_close(upstream: tuple[Upstream, str]) -> None:
    _, url = upstream
    pool = Http1Pool(url, size=1)
    try:
        chunked = await pool.post("/chunked", b"{}", {})
        assert chunked.body == b'{"name":"projects/p/messages/1"}'
        closing = await pool.post("/close", b"", {})
        assert closing.body == b"bye"
        after = await pool.post("/echo", b"again", {})  # a fresh connection
        assert after.body == b"got again"
    finally:
        await pool.close()


async def test_a_stuck_server_times_out_and_the_connection_is_dropped(
    upstream: tuple[Upstream, str],
) -> None:
    _, url = upstream
    pool = Http1Pool(url, size=1, timeout=0.2)
    try:
        with pytest.raises(TimeoutError):
            await pool.post("/stuck", b"", {})
        assert (await pool.post("/echo", b"next", {})).body == b"got next"
    finally:
        await pool.close()


def test_bad_base_url() -> None:
    with pytest.raises(ValueError, match="unsupported base URL"):
        Http1Pool("ftp://example.com")


async def test_a_keep_alive_connection_closed_while_idle_is_replaced() -> None:
    """The server answers with keep-alive, then drops the idle connection (as real
    servers do after their idle timeout): the next request goes out once, on a new
    connection, and succeeds."""
    served: list[bytes] = []
    dropped = asyncio.Event()

    async def answer_once_then_drop(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        served.append(await reader.readexactly(length))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()  # no "Connection: close": the client believes it may reuse it
        dropped.set()

    server = await asyncio.start_server(answer_once_then_drop, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pool = Http1Pool(f"http://127.0.0.1:{port}", size=1)
    try:
        first = await pool.post("/send", b"one", {})
        await asyncio.wait_for(dropped.wait(), 5)
        second = await pool.post("/send", b"two", {})
    finally:
        await pool.close()
        server.close()
        await server.wait_closed()
    assert (first.status, second.status) == (200, 200)
    assert served == [b"one", b"two"]  # each request reached the server exactly once
