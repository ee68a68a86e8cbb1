"""Uploads through the app: type sniffing, size limits while streaming, avatar
re-encoding, and that a refused upload leaves no object and no row behind."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image

from .files_testing.harness import Harness
from .files_testing.images import ELF, GPS_IFD, MZ, PDF, jpeg_with_gps, png

MIB = 1024 * 1024


def stored_objects(harness: Harness) -> list[Path]:
    root = harness.component.settings.local_storage_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_upload_metadata_url_download_round_trip(harness: Harness) -> None:
    body = await harness.uploaded("u1", PDF, kind="kyc_document", name="../../My Passport.pdf")
    assert body["ownerId"] == "u1"
    assert body["kind"] == "kyc_document"
    assert body["contentType"] == "application/pdf"
    assert body["visibility"] == "private"
    assert body["originalName"] == "My_Passport.pdf"
    assert body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["publicUrl"] is None

    meta = await harness.client.get(f"/v1/files/{body['id']}", headers=harness.headers("u1"))
    assert meta.status_code == 200
    assert meta.json() == body

    url = await harness.url_for("u1", body["id"])
    assert url.status_code == 200
    downloaded = await harness.fetch(url.json()["url"])
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() == body["sha256"]


async def test_the_type_comes_from_magic_bytes_not_headers(harness: Harness) -> None:
    for payload in (ELF, MZ, b"GIF89a" + b"\x00" * 50, b""):
        response = await harness.upload(
            "u1", payload, kind="avatar", name="photo.png", content_type="image/png"
        )
        assert response.status_code == 415, response.text
        assert response.json()["code"] == "UNSUPPORTED_FILE_TYPE"
    assert stored_objects(harness) == []
    assert await harness.file_rows() == 0


async def test_a_pdf_is_not_an_avatar(harness: Harness) -> None:
    response = await harness.upload("u1", PDF, kind="avatar", name="me.png")
    assert (response.status_code, response.json()["code"]) == (415, "UNSUPPORTED_FILE_TYPE")


async def test_undecodable_image_with_valid_magic_is_refused(harness: Harness) -> None:
    fake = b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 100
    response = await harness.upload("u1", fake, kind="avatar")
    assert (response.status_code, response.json()["code"]) == (415, "UNSUPPORTED_FILE_TYPE")
    assert stored_objects(harness) == []


async def test_decompression_bomb_is_refused(harness: Harness) -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 MP, a few kB
    response = await harness.upload("u1", out.getvalue(), kind="avatar")
    assert (response.status_code, response.json()["code"]) == (415, "UNSUPPORTED_FILE_TYPE")


async def test_oversized_avatar_is_cut_off_while_streaming(harness: Harness) -> None:
    sent = 0

    async def ten_megabytes() -> AsyncIterator[bytes]:
        nonlocal sent
        yield png()
        for _ in range(160):  # 10 MiB in 64 KiB chunks, no Content-Length
            sent += 64 * 1024
            yield b"\x00" * (64 * 1024)

    response = await harness.upload("u1", ten_megabytes(), kind="avatar")
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "FILE_TOO_LARGE"
    assert sent < 6 * MIB  # stopped reading soon after 5 MiB, not at 10
    assert stored_objects(harness) == []
    assert await harness.file_rows() == 0


async def test_declared_oversize_is_refused_before_reading(harness: Harness) -> None:
    response = await harness.upload("u1", PDF + b"\x00" * (10 * MIB), kind="kyc_document")
    assert (response.status_code, response.json()["code"]) == (413, "FILE_TOO_LARGE")
    assert stored_objects(harness) == []


async def test_streamed_kyc_document_over_the_limit(harness: Harness) -> None:
    async def eleven_megabytes() -> AsyncIterator[bytes]:
        yield PDF
        for _ in range(11):
            yield b"\x00" * MIB

    response = await harness.upload("u1", eleven_megabytes(), kind="kyc_document")
    assert (response.status_code, response.json()["code"]) == (413, "FILE_TOO_LARGE")
    assert stored_objects(harness) == []
    assert await harness.file_rows() == 0


async def test_avatar_loses_exif_and_gps_and_gets_a_thumbnail(harness: Harness) -> None:
    original = jpeg_with_gps((2000, 1000))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    body = await harness.uploaded("u1", original, kind="avatar", name="beach.jpg")
    assert body["visibility"] == "public"
    assert body["contentType"] == "image/jpeg"

    downloaded = await harness.fetch(body["publicUrl"])
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() == body["sha256"]
    image = Image.open(io.BytesIO(downloaded.content))
    exif = image.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert len(exif) == 0
    assert b"SpyCam" not in downloaded.content
    assert image.size == (1024, 512)

    thumb = await harness.fetch(body["thumbnailUrl"])
    assert Image.open(io.BytesIO(thumb.content)).size == (128, 128)


@pytest.mark.parametrize("kind", ["attachment", "proof_of_address", "kyc_selfie"])
async def test_png_is_accepted_by_document_kinds(harness: Harness, kind: str) -> None:
    body = await harness.uploaded("u1", png(), kind=kind, name="x.png")
    assert (body["contentType"], body["visibility"]) == ("image/png", "private")


async def test_name_from_query_and_unknown_kind(harness: Harness) -> None:
    response = await harness.client.post(
        "/v1/files",
        params={"kind": "attachment", "name": "ré sumé.pdf"},
        content=PDF,
        headers={**harness.headers("u1"), "Content-Type": "application/octet-stream"},
    )
    assert response.json()["originalName"] == "re_sume.pdf"
    bad = await harness.client.post(
        "/v1/files", params={"kind": "malware"}, content=PDF, headers=harness.headers("u1")
    )
    assert bad.status_code == 422


async def test_upload_needs_an_identity(harness: Harness) -> None:
    response = await harness.client.post("/v1/files", params={"kind": "avatar"}, content=png())
    assert response.status_code == 401


@pytest.mark.parametrize(("fmt", "mime"), [("WEBP", "image/webp"), ("PNG", "image/png")])
async def test_avatar_keeps_its_format(harness: Harness, fmt: str, mime: str) -> None:
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (1, 2, 3, 128)).save(out, format=fmt)
    body = await harness.uploaded("u1", out.getvalue(), kind="avatar", name="a.img")
    assert body["contentType"] == mime
    content = (await harness.fetch(body["publicUrl"])).content
    assert Image.open(io.BytesIO(content)).format == fmt
