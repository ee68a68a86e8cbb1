"""One contract, two adapters: LocalStorage (a directory) and S3Storage (the real S3
test server that ``make infra-up`` starts). Whatever the service relies on is here."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from burency_common.timeutil import ManualClock
from burency_files.adapters.storage.local import LocalStorage, UrlSigner
from burency_files.adapters.storage.port import ObjectNotFound, ObjectStorage, ObjectTooLarge
from burency_files.adapters.storage.s3 import S3Config, S3Storage
from burency_files.domain.kinds import FileKind, new_key

MIB = 1024 * 1024


@dataclass
class Subject:
    storage: ObjectStorage
    fetch: Callable[[str], Awaitable[tuple[int, bytes]]]
    leftovers: Callable[[], Awaitable[int]]
    """How many partial uploads (temp files, open multipart uploads) remain."""
    expiry_of: Callable[[str], int]
    """The Unix time a presigned URL says it stops working."""
    now: int


def _local(tmp_path: Path) -> Subject:
    clock = ManualClock(datetime.now(UTC))
    signer = UrlSigner(b"k" * 32, clock)
    storage = LocalStorage(tmp_path / "objects", signer=signer, base_url="http://files")

    async def fetch(url: str) -> tuple[int, bytes]:
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        key = parts.path.removeprefix("/v1/objects/")
        ok = signer.verify(
            key, expires=int(query["expires"]), filename=query["name"], signature=query["signature"]
        )
        return (200, await storage.get(key)) if ok else (403, b"")

    async def leftovers() -> int:
        return sum(1 for p in (tmp_path / "objects").rglob(".upload-*"))

    def expiry_of(url: str) -> int:
        return int(parse_qs(urlsplit(url).query)["expires"][0])

    return Subject(storage, fetch, leftovers, expiry_of, signer.now())


def _s3(endpoint: str, bucket: str) -> Subject:
    storage = S3Storage(
        S3Config(
            bucket=bucket,
            region=os.environ.get("BURENCY_TEST_S3_REGION", "us-east-1"),
            endpoint_url=endpoint,
            access_key_id=os.environ.get("BURENCY_TEST_S3_ACCESS_KEY_ID", "testing"),
            secret_access_key=os.environ.get("BURENCY_TEST_S3_SECRET_ACCESS_KEY", "testing"),
            server_side_encryption="AES256",
            create_bucket=True,
            part_size=5 * MIB,
        )
    )

    async def fetch(url: str) -> tuple[int, bytes]:
        async with httpx.AsyncClient() as client:
            response = await client.get(url)
        return response.status_code, response.content

    async def leftovers() -> int:
        listed = storage.client.list_multipart_uploads(Bucket=bucket)
        return len(listed.get("Uploads", []))

    def expiry_of(url: str) -> int:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        signed = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return int(signed.timestamp()) + int(query["X-Amz-Expires"])

    return Subject(storage, fetch, leftovers, expiry_of, int(datetime.now(UTC).timestamp()))


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
async def subject(request: pytest.FixtureRequest, tmp_path: Path) -> Subject:
    if request.param == "local":
        made = _local(tmp_path)
    else:
        made = _s3(request.getfixturevalue("s3_endpoint"), request.getfixturevalue("s3_bucket"))
    await made.storage.ensure_ready()
    return made


async def chunks_of(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def generated(total: int, chunk: int = MIB) -> AsyncIterator[bytes]:
    """``total`` bytes made on the fly (never held whole by the test either)."""
    for index in range(0, total, chunk):
        yield bytes([index // chunk % 251]) * min(chunk, total - index)


def digest_of(total: int, chunk: int = MIB) -> str:
    h = hashlib.sha256()
    for index in range(0, total, chunk):
        h.update(bytes([index // chunk % 251]) * min(chunk, total - index))
    return h.hexdigest()


class TestObjectStorageContract:
    async def test_put_then_get_returns_the_bytes_size_and_sha256(self, subject: Subject) -> None:
        data = os.urandom(700_000)
        key = new_key(FileKind.ATTACHMENT)
        stored = await subject.storage.put_stream(
            key, chunks_of(data), content_type="application/pdf", size_limit=MIB
        )
        assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert await subject.storage.get(key) == data
        assert b"".join([c async for c in subject.storage.stream(key)]) == data

    async def test_a_stream_larger_than_a_part_is_stored_whole(self, subject: Subject) -> None:
        key = new_key(FileKind.KYC_DOCUMENT)
        total = 12 * MIB + 123
        stored = await subject.storage.put_stream(
            key, generated(total), content_type="application/pdf", size_limit=20 * MIB
        )
        assert stored.size == total
        assert stored.sha256 == digest_of(total)
        assert hashlib.sha256(await subject.storage.get(key)).hexdigest() == digest_of(total)
        assert await subject.leftovers() == 0

    @pytest.mark.parametrize("total", [MIB + 1, 11 * MIB])
    async def test_too_large_leaves_nothing_behind(self, subject: Subject, total: int) -> None:
        key = new_key(FileKind.KYC_DOCUMENT)
        with pytest.raises(ObjectTooLarge):
            await subject.storage.put_stream(
                key, generated(total), content_type="application/pdf", size_limit=total - 1
            )
        with pytest.raises(ObjectNotFound):
            await subject.storage.get(key)
        assert await subject.leftovers() == 0

    async def test_a_failing_stream_leaves_nothing_behind(self, subject: Subject) -> None:
        async def broken() -> AsyncIterator[bytes]:
            async for chunk in generated(7 * MIB):
                yield chunk
            raise ConnectionResetError("client went away")

        key = new_key(FileKind.ATTACHMENT)
        with pytest.raises(ConnectionResetError):
            await subject.storage.put_stream(
                key, broken(), content_type="image/png", size_limit=10 * MIB
            )
        with pytest.raises(ObjectNotFound):
            await subject.storage.get(key)
        assert await subject.leftovers() == 0

    async def test_delete_is_idempotent_and_missing_is_not_found(self, subject: Subject) -> None:
        key = new_key(FileKind.AVATAR)
        await subject.storage.put_stream(
            key, chunks_of(b"x"), content_type="image/png", size_limit=9
        )
        await subject.storage.delete(key)
        await subject.storage.delete(key)
        with pytest.raises(ObjectNotFound):
            await subject.storage.get(key)

    async def test_presigned_url_downloads_and_states_its_expiry(self, subject: Subject) -> None:
        data = b"%PDF-1.4 presigned"
        key = new_key(FileKind.KYC_SELFIE)
        await subject.storage.put_stream(
            key, chunks_of(data), content_type="application/pdf", size_limit=MIB
        )
        url = await subject.storage.presigned_get_url(key, expires_in=60, filename="scan.pdf")
        assert await subject.fetch(url) == (200, data)
        assert abs(subject.expiry_of(url) - (subject.now + 60)) <= 5

    async def test_public_url_names_the_key(self, subject: Subject) -> None:
        key = new_key(FileKind.AVATAR)
        assert subject.storage.public_url(key).endswith(key)


async def test_s3_objects_are_encrypted_at_rest(s3_endpoint: str, s3_bucket: str) -> None:
    subject = _s3(s3_endpoint, s3_bucket)
    await subject.storage.ensure_ready()
    assert isinstance(subject.storage, S3Storage)
    for total in (10, 6 * MIB):  # single PutObject and multipart
        key = new_key(FileKind.KYC_DOCUMENT)
        await subject.storage.put_stream(
            key, generated(total), content_type="application/pdf", size_limit=total
        )
        head: dict[str, Any] = subject.storage.client.head_object(Bucket=s3_bucket, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
        assert head["ContentType"] == "application/pdf"


async def test_local_storage_refuses_keys_it_did_not_make(tmp_path: Path) -> None:
    storage = _local(tmp_path).storage
    for key in ("../../etc/passwd", "avatar/../x", "avatar/not-a-uuid", "/abs"):
        with pytest.raises(ObjectNotFound):
            await storage.get(key)
