"""Embedded-mode storage: a directory, with URLs signed by this service.

Writes go to a temporary file in the same directory and are renamed into place, so a
reader never sees half an object and an aborted upload leaves only a temp file that
is deleted at once. "Presigned" URLs point at this service's ``/v1/objects/{key}``
route with ``expires`` and an HMAC ``signature`` over key and expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, urlencode

from burency_common.private_files import PRIVATE_DIR_MODE, private_directory
from burency_common.timeutil import Clock, SystemClock, to_epoch_ms
from burency_files.adapters.storage.port import ObjectNotFound, SizeCounter, StoredObject
from burency_files.domain.kinds import is_valid_key

__all__ = ["LocalStorage", "UrlSigner"]

_READ_CHUNK = 256 * 1024


class UrlSigner:
    """HMAC-SHA256 signatures of ``(key, expires)`` for local object URLs."""

    def __init__(self, secret: bytes, clock: Clock | None = None) -> None:
        self._secret = secret
        self.clock = clock or SystemClock()

    def _mac(self, key: str, expires: int, filename: str) -> str:
        message = f"burency-files.v1\n{key}\n{expires}\n{filename}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def now(self) -> int:
        return to_epoch_ms(self.clock.now()) // 1000

    def sign(self, key: str, *, expires_in: int, filename: str) -> dict[str, str]:
        expires = self.now() + expires_in
        return {
            "expires": str(expires),
            "name": filename,
            "signature": self._mac(key, expires, filename),
        }

    def verify(self, key: str, *, expires: int, filename: str, signature: str) -> bool:
        expected = self._mac(key, expires, filename)
        return hmac.compare_digest(expected, signature) and self.now() <= expires


class LocalStorage:
    """Objects as files under ``root``; key ``avatar/<id>`` → ``root/avatar/<id>``."""

    def __init__(self, root: Path, *, signer: UrlSigner, base_url: str) -> None:
        self.root = root
        self.signer = signer
        self.base_url = base_url.rstrip("/")

    def _path(self, key: str) -> Path:
        if not is_valid_key(key):  # never let a key walk out of root
            raise ObjectNotFound(key)
        return self.root / key

    async def ensure_ready(self) -> None:
        await asyncio.to_thread(private_directory, self.root)

    async def put_stream(
        self, key: str, chunks: AsyncIterator[bytes], *, content_type: str, size_limit: int
    ) -> StoredObject:
        del content_type  # a directory keeps no metadata; the database has it
        target = self._path(key)
        await asyncio.to_thread(target.parent.mkdir, PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        counter = SizeCounter(size_limit)
        try:
            with os.fdopen(fd, "wb") as handle:
                async for chunk in chunks:
                    counter.feed(chunk)
                    await asyncio.to_thread(handle.write, chunk)
            await asyncio.to_thread(os.replace, temp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        return counter.result()

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    async def stream(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, _READ_CHUNK):
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(path.unlink)

    async def presigned_get_url(self, key: str, *, expires_in: int, filename: str) -> str:
        self._path(key)
        query = urlencode(self.signer.sign(key, expires_in=expires_in, filename=filename))
        return f"{self.base_url}/v1/objects/{quote(key)}?{query}"

    def public_url(self, key: str) -> str:
        self._path(key)
        return f"{self.base_url}/v1/objects/{quote(key)}"
