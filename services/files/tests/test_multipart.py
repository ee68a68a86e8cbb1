"""``multipart/form-data`` uploads, parsed incrementally."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from .files_testing.harness import Harness
from .files_testing.images import ELF, PDF, png

MIB = 1024 * 1024
BOUNDARY = "----burencyBoundary7MA4YWxk"


def form(data: bytes, *, filename: str = "doc.pdf", extra: bool = True) -> bytes:
    parts = []
    if extra:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'.encode()
        )
    parts.append(
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return b"".join(parts)


async def post_form(harness: Harness, body: bytes | AsyncIterator[bytes], kind: str) -> object:
    return await harness.client.post(
        "/v1/files",
        params={"kind": kind},
        content=body,
        headers={
            **harness.headers("alice"),
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )


async def test_multipart_upload_keeps_the_bytes(harness: Harness) -> None:
    data = PDF + b"\r\n--not-the-boundary\r\n" + bytes(range(256)) * 100
    response = await post_form(harness, form(data, filename="My Doc.pdf"), "kyc_document")
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["originalName"] == "My_Doc.pdf"


async def test_multipart_in_tiny_chunks(harness: Harness) -> None:
    payload = form(png(), filename="a.png")

    async def trickle() -> AsyncIterator[bytes]:
        for i in range(0, len(payload), 7):
            yield payload[i : i + 7]

    response = await post_form(harness, trickle(), "attachment")
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    assert response.json()["size"] == len(png())  # type: ignore[attr-defined]


async def test_multipart_sniffs_and_limits(harness: Harness) -> None:
    response = await post_form(harness, form(ELF, filename="photo.png"), "attachment")
    assert response.json()["code"] == "UNSUPPORTED_FILE_TYPE"  # type: ignore[attr-defined]

    async def huge() -> AsyncIterator[bytes]:
        yield form(b"", filename="x.pdf").split(b"\r\n--" + BOUNDARY.encode() + b"--")[0]
        yield PDF
        for _ in range(11):
            yield b"\x00" * MIB

    response = await post_form(harness, huge(), "kyc_document")
    assert response.json()["code"] == "FILE_TOO_LARGE"  # type: ignore[attr-defined]
    assert await harness.file_rows() == 0


async def test_malformed_multipart(harness: Harness) -> None:
    for body in (b"garbage", form(PDF).replace(b'name="file"', b'name="other"')):
        response = await post_form(harness, body, "attachment")
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert response.json()["code"] == "INVALID_MULTIPART"  # type: ignore[attr-defined]
