"""A small incremental ``multipart/form-data`` reader for one file field.

``python-multipart`` is not a dependency of the workspace, and Starlette's own form
parser spools whole files before the handler runs (so the size limit and the magic
byte check would only happen after the upload). This reader yields the ``file``
field's bytes as they arrive, holding at most one network chunk plus a boundary in
memory; other fields are skipped (bounded), the preamble and headers are bounded.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from burency_common.errors import BadRequest
from burency_files.domain.errors import FileTooLarge

__all__ = ["MULTIPART_OVERHEAD", "file_part"]

MULTIPART_OVERHEAD = 64 * 1024
"""Bytes of form framing tolerated beyond the file itself (boundaries, headers, fields)."""

_MAX_HEADERS = 8 * 1024
_MAX_PARTS = 16
_BOUNDARY = re.compile(r'boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))', re.IGNORECASE)
_PARAM = re.compile(r'(\w+\*?)\s*=\s*(?:"([^"]*)"|([^;\s]+))')


def _malformed(detail: str = "the multipart body is malformed") -> BadRequest:
    return BadRequest(detail, code="INVALID_MULTIPART")


class _Buffered:
    """A byte stream with a look-ahead buffer."""

    def __init__(self, source: AsyncIterator[bytes]) -> None:
        self._source = aiter(source)
        self._buf = bytearray()
        self._eof = False

    async def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            self._buf += await anext(self._source)
        except StopAsyncIteration:
            self._eof = True
            return False
        return True

    async def peek(self, n: int) -> bytes:
        while len(self._buf) < n:
            if not await self._fill():
                raise _malformed()
        return bytes(self._buf[:n])

    async def read_until(self, sep: bytes, limit: int) -> bytes:
        """Everything before ``sep`` (which is consumed); at most ``limit`` bytes."""
        while (i := self._buf.find(sep)) < 0:
            if len(self._buf) > limit or not await self._fill():
                raise _malformed()
        out = bytes(self._buf[:i])
        del self._buf[: i + len(sep)]
        return out

    async def stream_until(self, sep: bytes) -> AsyncIterator[bytes]:
        """Yield everything before ``sep`` as it arrives, keeping a possible partial ``sep``."""
        keep = len(sep) - 1
        while True:
            i = self._buf.find(sep)
            if i >= 0:
                if i:
                    yield bytes(self._buf[:i])
                del self._buf[: i + len(sep)]
                return
            if len(self._buf) > keep:
                out = bytes(self._buf[:-keep])
                del self._buf[:-keep]
                yield out
            if not await self._fill():
                raise _malformed("the multipart body ends inside a part")


def _boundary(content_type: str) -> bytes:
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise _malformed("multipart/form-data without a boundary")
    return (match.group(1) or match.group(2)).encode("latin-1")


def _disposition(block: bytes) -> tuple[str | None, str | None]:
    """``(name, filename)`` from a part's ``Content-Disposition`` header."""
    for line in block.decode("utf-8", "replace").split("\r\n"):
        header, _, value = line.partition(":")
        if header.strip().lower() == "content-disposition":
            params = {m.group(1).lower(): m.group(2) or m.group(3) for m in _PARAM.finditer(value)}
            return params.get("name"), params.get("filename")
    return None, None


async def file_part(
    stream: AsyncIterator[bytes], content_type: str, *, fallback_name: str
) -> tuple[AsyncIterator[bytes], str]:
    """The ``file`` field's byte stream and file name; other fields are skipped."""
    boundary = _boundary(content_type)
    reader = _Buffered(stream)
    await reader.read_until(b"--" + boundary, MULTIPART_OVERHEAD)
    delimiter = b"\r\n--" + boundary
    skipped = 0
    for _ in range(_MAX_PARTS):
        if await reader.peek(2) == b"--":
            break
        headers = await reader.read_until(b"\r\n\r\n", _MAX_HEADERS)
        name, filename = _disposition(headers)
        if name == "file":
            return reader.stream_until(delimiter), filename or fallback_name
        async for chunk in reader.stream_until(delimiter):
            skipped += len(chunk)
            if skipped > MULTIPART_OVERHEAD:
                raise FileTooLarge("too much form data besides the file")
    raise _malformed("the form has no `file` field")
