"""File kinds, what each accepts, and content sniffing by magic bytes.

The type of an upload is decided from its first bytes only: a client-supplied
``Content-Type`` or file extension is attacker-controlled, so it is never trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from burency_common.ids import new_id

__all__ = [
    "JPEG",
    "KYC_KINDS",
    "PDF",
    "PNG",
    "POLICIES",
    "SNIFF_BYTES",
    "WEBP",
    "FileKind",
    "KindPolicy",
    "Visibility",
    "is_valid_key",
    "new_key",
    "sniff",
]

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
PDF = "application/pdf"
SNIFF_BYTES = 12
"""Bytes needed to recognise every accepted type (WebP: ``RIFF????WEBP``)."""

_MIB = 1024 * 1024


class FileKind(StrEnum):
    AVATAR = "avatar"
    KYC_DOCUMENT = "kyc_document"
    KYC_SELFIE = "kyc_selfie"
    PROOF_OF_ADDRESS = "proof_of_address"
    ATTACHMENT = "attachment"


class Visibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


@dataclass(frozen=True)
class KindPolicy:
    max_size: int
    types: frozenset[str]
    visibility: Visibility


_DOCS = frozenset({JPEG, PNG, PDF})
POLICIES: dict[FileKind, KindPolicy] = {
    FileKind.AVATAR: KindPolicy(5 * _MIB, frozenset({JPEG, PNG, WEBP}), Visibility.PUBLIC),
    FileKind.KYC_DOCUMENT: KindPolicy(10 * _MIB, _DOCS, Visibility.PRIVATE),
    FileKind.KYC_SELFIE: KindPolicy(10 * _MIB, _DOCS, Visibility.PRIVATE),
    FileKind.PROOF_OF_ADDRESS: KindPolicy(10 * _MIB, _DOCS, Visibility.PRIVATE),
    FileKind.ATTACHMENT: KindPolicy(10 * _MIB, _DOCS | {WEBP}, Visibility.PRIVATE),
}
KYC_KINDS = frozenset({FileKind.KYC_DOCUMENT, FileKind.KYC_SELFIE, FileKind.PROOF_OF_ADDRESS})

_KEY = re.compile(
    r"(?:" + "|".join(k.value for k in FileKind) + r")/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}"
    r"-[89ab][0-9a-f]{3}-[0-9a-f]{12}(?:\.thumb)?"
)


def sniff(head: bytes) -> str | None:
    """The content type ``head`` (the first bytes of a file) announces, if accepted."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def new_key(kind: FileKind) -> str:
    """A fresh object key: ``<kind>/<uuid7>``; the user's file name never goes in it."""
    return f"{kind.value}/{new_id()}"


def is_valid_key(key: str) -> bool:
    """Whether ``key`` is one this service generates (guards paths and URLs)."""
    return _KEY.fullmatch(key) is not None


def is_public_key(key: str) -> bool:
    """Public objects are avatars (and their thumbnails); their URLs need no signature."""
    return is_valid_key(key) and key.startswith(FileKind.AVATAR.value + "/")
