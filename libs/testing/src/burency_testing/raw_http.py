"""An ASGI app served by a real uvicorn on loopback, and HTTP/1.1 written byte for byte.

HTTP client libraries clean a request up before sending it (httpx and browsers remove
``..`` segments, re-encode escapes), so attacks on how a server reads the request
target must be written to the socket by hand: :func:`raw_request`. :class:`ServedApp`
runs the app under uvicorn on its own event loop in a thread (so synchronous drivers
such as Hypothesis can use it too); :meth:`ServedApp.run` executes a coroutine on that
loop, for state bound to it (database pools, the in-memory bus).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn

__all__ = ["RawResponse", "ServedApp", "raw_request"]

T = TypeVar("T")
_POLL = 0.02


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes


class ServedApp:
    """``with ServedApp(app) as served:`` serves ``app`` on ``127.0.0.1:served.port``."""

    def __init__(self, app: Any, *, http: str = "auto", start_timeout: float = 60.0) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        config = uvicorn.Config(
            app,
            lifespan="on",
            log_level="warning",
            access_log=False,
            http=http,
        )
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._start_timeout = start_timeout

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.serve(sockets=[self._sock]))
        finally:
            self.loop.run_until_complete(self._finish())
            self.loop.close()

    async def _finish(self) -> None:
        """What ``asyncio.run`` does at the end: let what the app left running end."""
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        if pending:
            await asyncio.wait(pending, timeout=10)  # a grace period, then cancelled
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self.loop.shutdown_asyncgens()
        await self.loop.shutdown_default_executor()

    def __enter__(self) -> ServedApp:
        self._thread.start()
        deadline = time.monotonic() + self._start_timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.server.should_exit = True
                raise RuntimeError("uvicorn did not start")
            time.sleep(_POLL)  # the poll period, not a wait for a result
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=2 * self._start_timeout)
        self._sock.close()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run ``coro`` on the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


def _read_chunked(data: bytes) -> bytes:
    body = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        body += data[:size]
        data = data[size + 2 :]
    return body


def raw_request(
    port: int,
    method: str,
    target: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 30.0,
) -> RawResponse:
    """Send one request with exactly ``target`` as its request target; read the answer.

    ``Connection: close`` is sent so the answer ends at EOF; a chunked body is decoded.
    """
    lines = [method.encode("ascii") + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1"]
    all_headers = {"Connection": "close", **(headers or {})}
    if body or method in ("POST", "PUT", "PATCH"):
        all_headers["Content-Length"] = str(len(body))
    lines += [f"{k}: {v}".encode("latin-1") for k, v in all_headers.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    head, _, rest = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed[name.strip().lower()] = value.strip()
    if parsed.get("transfer-encoding", "").lower() == "chunked":
        rest = _read_chunked(rest)
    return RawResponse(int(status_line.split(" ")[1]), parsed, rest)
