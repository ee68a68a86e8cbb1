"""The upstream hop: one proxied request to one instance, and its unread answer.

An HTTP instance is reached through an :class:`aiohttp.ClientSession` (:class:`HttpHop`):
its C parser and plain asyncio protocol need a fraction of the CPU of httpx's
httpcore/h11/anyio stack (``bench/gateway_overhead.py``: the proxy gateway's CPU per
request fell from ~1.2 ms to ~0.4 ms). An embedded (ASGI) instance keeps httpx's
``ASGITransport`` (:class:`HttpxAnswer`), and so does the rare request to an HTTP
instance whose header bytes aiohttp could not write unchanged (:func:`text_headers`).
What goes on the wire is what httpx sent: the same request line (:func:`upstream_url`),
the client's headers and no client defaults.

Either way the forwarder sees the same two things:

* an :class:`Answer`: status, raw headers, the body as raw chunks (still compressed if
  the upstream compressed it), and ``aclose()``;
* for a failure, :class:`HopError` (a transport error, with whether the request
  provably never left the gateway) or :class:`TimeoutError` (a read or write timed out).

Each client's exceptions are mapped once, here:

===============================  ===================================================
never left the gateway           httpx ``ConnectError``, ``ConnectTimeout``,
(``never_sent``)                 ``PoolTimeout`` (not blamed on the instance: the
                                 local pool was full); aiohttp ``ClientConnectorError``
                                 (refused, DNS, TLS) and ``ConnectionTimeoutError``
may have reached the upstream    every other transport error: httpx ``ReadError``,
                                 ``RemoteProtocolError``...; aiohttp
                                 ``ServerDisconnectedError``, ``ClientOSError``,
                                 ``ClientPayloadError``, ``ClientResponseError``...
timeout (``TimeoutError``)       httpx ``ReadTimeout``/``WriteTimeout``; aiohttp
                                 ``SocketTimeoutError`` (``sock_read``)
===============================  ===================================================
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Iterable

import aiohttp
import httpx
from yarl import URL

__all__ = [
    "Answer",
    "HopError",
    "HttpHop",
    "HttpxAnswer",
    "httpx_error",
    "text_headers",
    "upstream_url",
]

_HTTPX_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_AIOHTTP_NEVER_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
# The upstream must see the client's headers, not aiohttp's defaults (and no
# Content-Type of aiohttp's choosing when the client sent none).
_SKIP_AUTO_HEADERS = ("Accept", "Accept-Encoding", "Content-Type", "User-Agent")
_MAX_HEAD_FIELD = 16384  # h11's limit for a whole response head: accept at least as much
# Targets that httpx sends exactly as given (and yarl then leaves alone when told they
# are encoded): no character it would percent-encode, no dot segment it would remove.
_PLAIN_TARGET = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*")


def upstream_url(base: str, target: str) -> URL:
    """``base + target`` as httpx would have sent it, the client's encoding kept.

    yarl's own requoting would decode ``%41`` or ``%2e`` and re-encode ``%zz``, so the
    URL is always built pre-encoded; a target that httpx would normalise first (rare:
    raw spaces, ``{``, dot segments...) goes through httpx's URL parser for that.
    """
    if not _PLAIN_TARGET.fullmatch(target) or "/." in target:
        target = httpx.URL(base + target).raw_path.decode("ascii")
    return URL(base + target, encoded=True)


def text_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]] | None:
    """Headers as aiohttp takes them (it writes UTF-8), or None when that would change
    a byte: a value that is not UTF-8 (legal obs-text) must go out as received."""
    try:
        return [(name.decode("ascii"), value.decode("utf-8")) for name, value in headers]
    except UnicodeDecodeError:
        return None


class HopError(Exception):
    """A transport failure on the upstream hop, classified for the retry rule.

    ``never_sent``: the request never left the gateway (no connection was made), so a
    retry is safe for any method. ``blame``: it counts as a failure of the instance.
    ``name`` is the original exception's type, for logs.
    """

    def __init__(self, cause: BaseException, *, never_sent: bool, blame: bool = True) -> None:
        super().__init__(repr(cause))
        self.never_sent = never_sent
        self.blame = blame
        self.name = type(cause).__name__


class Answer(ABC):
    """An upstream's response, its body left to stream."""

    status_code: int

    @abstractmethod
    def raw_headers(self) -> Iterable[tuple[bytes, bytes]]:
        """The headers as received (names in any case)."""

    @abstractmethod
    def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body as it arrives, undecoded; raises HopError or TimeoutError."""

    @abstractmethod
    async def aclose(self) -> None:
        """Done with the answer: a complete one frees its connection for reuse."""

    @property
    def complete(self) -> bool:
        """The whole body is in: the chunk just yielded was the last one."""
        return False


def httpx_error(exc: httpx.TransportError) -> HopError | TimeoutError:
    """What an httpx transport error means for the forwarder."""
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, _HTTPX_NEVER_SENT):
        return TimeoutError(repr(exc))
    never_sent = isinstance(exc, _HTTPX_NEVER_SENT)
    return HopError(exc, never_sent=never_sent, blame=not isinstance(exc, httpx.PoolTimeout))


class HttpxAnswer(Answer):
    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status_code = response.status_code

    def raw_headers(self) -> Iterable[tuple[bytes, bytes]]:
        return self._response.headers.raw

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except httpx.TransportError as exc:
            raise httpx_error(exc) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


def _aiohttp_error(exc: aiohttp.ClientError | TimeoutError) -> HopError | TimeoutError:
    if isinstance(exc, _AIOHTTP_NEVER_SENT):  # before TimeoutError: a connect timeout is one
        return HopError(exc, never_sent=True)
    if isinstance(exc, TimeoutError):  # sock_read (aiohttp.SocketTimeoutError)
        return TimeoutError(repr(exc))
    return HopError(exc, never_sent=False)


class _AiohttpAnswer(Answer):
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status_code = response.status

    def raw_headers(self) -> Iterable[tuple[bytes, bytes]]:
        return self._response.raw_headers

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        content = self._response.content
        try:
            while chunk := await content.readany():  # b"" only at the end
                yield chunk
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _aiohttp_error(exc) from exc

    async def aclose(self) -> None:
        # Back to the pool when the body was read to the end, otherwise closed.
        self._response.release()

    @property
    def complete(self) -> bool:
        return self._response.content.at_eof()


class _ProxyRequest(aiohttp.ClientRequest):
    """aiohttp adds ``Content-Length: 0`` to a bodiless request of every method outside
    the GET family, httpx only to POST, PUT and PATCH: a bodiless DELETE goes out as the
    client sent it."""

    GET_METHODS = {*aiohttp.ClientRequest.GET_METHODS, "DELETE"}


class HttpHop:
    """An HTTP instance's keep-alive connections, as one aiohttp session.

    The session is opened on first use, inside the running loop, and closed by
    :meth:`aclose` (a later request opens a new one). Redirects are never followed,
    no cookie is kept, bodies are not decompressed, and aiohttp's own retry of a
    broken keep-alive connection is off: retries are the forwarder's decision.
    """

    def __init__(
        self,
        *,
        max_connections: int | None,
        keepalive_expiry: float | None,
        connect_timeout: float,
    ) -> None:
        self._limit = max_connections or 0  # aiohttp: 0 is unlimited
        self._keepalive = keepalive_expiry
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._limit, limit_per_host=0, keepalive_timeout=self._keepalive
        )
        session = aiohttp.ClientSession(
            connector=connector,
            request_class=_ProxyRequest,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=_SKIP_AUTO_HEADERS,
            auto_decompress=False,
            trust_env=False,
            max_line_size=_MAX_HEAD_FIELD,
            max_field_size=_MAX_HEAD_FIELD,
        )
        # The flag aiohttp's own test client clears: no silent second attempt on the
        # same instance after a broken connection (see the forwarder's retry rule).
        session._retry_connection = False
        self._session = session
        return session

    def _timeout(self, timeout: float) -> aiohttp.ClientTimeout:
        """``sock_read`` is httpx's read timeout; the whole exchange up to the response
        headers, waiting for a pooled connection included, is bounded by the caller."""
        found = self._timeouts.get(timeout)
        if found is None:
            connect = min(self._connect_timeout, timeout)
            found = aiohttp.ClientTimeout(
                total=None, connect=None, sock_connect=connect, sock_read=timeout
            )
            self._timeouts[timeout] = found
        return found

    async def request(
        self,
        method: str,
        url: URL,
        headers: list[tuple[str, str]],
        body: AsyncIterable[bytes] | None,
        timeout: float,  # noqa: ASYNC109 - per-read and connect timeouts, not a deadline
    ) -> Answer:
        """Send a request with its body streamed from ``body``; the answer is unread."""
        session = self._session or self._open()
        try:
            response = await session.request(
                method,
                url,
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=self._timeout(timeout),
            )
        except aiohttp.InvalidURL:
            raise
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _aiohttp_error(exc) from exc
        return _AiohttpAnswer(response)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()
