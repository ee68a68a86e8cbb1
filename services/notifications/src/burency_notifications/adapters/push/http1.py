"""A minimal HTTP/1.1 keep-alive client for one origin, used for FCM ``messages:send``.

Why not aiohttp for the sends: measured on this 2-core machine, an aiohttp client
spends ~200 us of CPU per small POST (request/response objects, tracing, cookie and
timeout machinery), which caps a mass fan-out near 2,500 pushes/s before the rest of
the work; FCM's send is one small JSON POST per message, so this pool writes the
request bytes itself and parses only what it needs (status, ``Content-Length`` or
chunked body, ``Retry-After``, ``Connection``). TLS via :mod:`ssl` for ``https``.
One connection carries one request at a time (no pipelining); at most ``size``
connections exist. A connection that fails in any way is closed, never reused.
See docs/adr/0010-own-fcm-client.md.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["Http1Pool", "Http1Response"]

_MAX_HEAD = 64 * 1024
_MAX_BODY = 1024 * 1024


class _StaleConnection(ConnectionError):
    """The connection ended before the first byte of an answer (closed while idle)."""


@dataclass(frozen=True)
class Http1Response:
    status: int
    headers: dict[str, str]
    body: bytes


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()

    async def exchange(self, request: bytes) -> tuple[Http1Response, bool]:
        """Send one request, read one response; returns it and whether to keep the connection."""
        try:
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise ValueError("response head too large") from None
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise
            raise _StaleConnection("closed before answering") from exc
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise _StaleConnection("reset before answering") from exc
        lines = head.decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        status = int(rest[:3])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await self._body(headers)
        keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
        return Http1Response(status, headers, body), keep

    async def _body(self, headers: dict[str, str]) -> bytes:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            size_total = 0
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    while (await self.reader.readuntil(b"\r\n")) != b"\r\n":
                        pass  # trailers
                    return b"".join(parts)
                size_total += size
                if size_total > _MAX_BODY:
                    raise ValueError("response body too large")
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
        length = int(headers.get("content-length", "0"))
        if length > _MAX_BODY:
            raise ValueError("response body too large")
        return await self.reader.readexactly(length) if length else b""


@dataclass
class Http1Pool:
    """``await pool.post(path, body, headers)`` against ``base_url`` (http or https)."""

    base_url: str
    size: int = 100
    timeout: float = 10.0
    _idle: list[_Connection] = field(default_factory=list, init=False, repr=False)
    _limit: asyncio.Semaphore | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"unsupported base URL {self.base_url!r}")
        self._host = parts.hostname
        self._tls = parts.scheme == "https"
        self._port = parts.port or (443 if self._tls else 80)
        default = (self._tls and self._port == 443) or (not self._tls and self._port == 80)
        self._authority = self._host if default else f"{self._host}:{self._port}"
        self._prefix = parts.path.rstrip("/")

    async def _connect(self) -> _Connection:
        context = ssl.create_default_context() if self._tls else None
        reader, writer = await asyncio.open_connection(
            self._host, self._port, ssl=context, limit=_MAX_HEAD
        )
        return _Connection(reader, writer)

    def _request(self, path: str, body: bytes, headers: dict[str, str]) -> bytes:
        head = [f"POST {self._prefix}{path} HTTP/1.1", f"Host: {self._authority}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> Http1Response:
        """POST; raises OSError/TimeoutError/ValueError/asyncio.IncompleteReadError on failure.

        A reused connection that fails before the answer's first byte was most likely
        closed by the server while idle; the request is sent once more on a new
        connection (as HTTP clients do for stale keep-alive connections)."""
        if self._limit is None:
            self._limit = asyncio.Semaphore(self.size)
        request = self._request(path, body, headers)
        async with self._limit, asyncio.timeout(self.timeout):
            if self._idle:
                try:
                    return await self._exchange(self._idle.pop(), request)
                except _StaleConnection:
                    pass  # the server closed an idle keep-alive connection: one fresh try
            return await self._exchange(await self._connect(), request)

    async def _exchange(self, connection: _Connection, request: bytes) -> Http1Response:
        try:
            response, keep = await connection.exchange(request)
        except BaseException:
            connection.close()
            raise
        if keep:
            self._idle.append(connection)
        else:
            connection.close()
        return response

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
