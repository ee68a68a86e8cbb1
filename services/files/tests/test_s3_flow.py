"""End to end on the real S3 test server (moto): upload, presigned URL fetched from
S3 itself, avatar public URL, 413 without leftovers, cleanup."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from burency_common.timeutil import parse_iso
from burency_files.service.cleanup import purge_deleted

from .files_testing.harness import Harness
from .files_testing.images import PDF, jpeg_with_gps

pytestmark = pytest.mark.s3
MIB = 1024 * 1024


def keys_in_bucket(harness: Harness) -> list[str]:
    storage = harness.component.context.storage
    client = storage.client  # type: ignore[attr-defined]
    bucket = harness.component.settings.s3_bucket
    listed = client.list_objects_v2(Bucket=bucket)
    return [o["Key"] for o in listed.get("Contents", [])]


async def test_kyc_round_trip_through_s3(s3_harness: Harness) -> None:
    data = PDF + bytes(range(256)) * 4000
    body = await s3_harness.uploaded("alice", data, kind="kyc_document", name="passport.pdf")
    issued = await s3_harness.url_for("alice", body["id"])
    assert issued.status_code == 200
    out = issued.json()
    query = parse_qs(urlsplit(out["url"]).query)
    ttl = s3_harness.component.settings.url_ttl_seconds
    assert query["X-Amz-Expires"] == [str(ttl)]
    assert parse_iso(out["expiresAt"]) == s3_harness.clock.now() + timedelta(seconds=ttl)
    downloaded = await s3_harness.fetch(out["url"])
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() == body["sha256"]
    assert downloaded.content == data
    other = await s3_harness.url_for("mallory", body["id"])
    assert other.status_code == 404


async def test_avatar_on_s3_is_clean(s3_harness: Harness) -> None:
    body = await s3_harness.uploaded("alice", jpeg_with_gps(), kind="avatar", name="me.jpg")
    assert body["publicUrl"].endswith(f"avatar/{body['id']}")
    issued = (await s3_harness.url_for("alice", body["id"])).json()
    content = (await s3_harness.fetch(issued["url"])).content
    assert b"SpyCam" not in content
    assert b"Exif" not in content


async def test_streamed_oversize_leaves_no_object_no_upload_no_row(s3_harness: Harness) -> None:
    before = keys_in_bucket(s3_harness)

    async def twelve_megabytes() -> AsyncIterator[bytes]:
        yield PDF
        for _ in range(12):
            yield b"\x00" * MIB

    response = await s3_harness.upload("alice", twelve_megabytes(), kind="attachment")
    assert (response.status_code, response.json()["code"]) == (413, "FILE_TOO_LARGE")
    assert keys_in_bucket(s3_harness) == before
    storage = s3_harness.component.context.storage
    uploads = storage.client.list_multipart_uploads(  # type: ignore[attr-defined]
        Bucket=s3_harness.component.settings.s3_bucket
    )
    assert uploads.get("Uploads", []) == []
    assert await s3_harness.file_rows() == 0


async def test_cleanup_removes_s3_objects(s3_harness: Harness) -> None:
    body = await s3_harness.uploaded("alice", PDF, kind="attachment")
    key = f"attachment/{body['id']}"
    assert key in keys_in_bucket(s3_harness)
    await s3_harness.client.delete(f"/v1/files/{body['id']}", headers=s3_harness.headers("alice"))
    assert await purge_deleted(s3_harness.component.context) >= 1
    assert key not in keys_in_bucket(s3_harness)
