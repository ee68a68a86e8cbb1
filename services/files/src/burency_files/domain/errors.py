"""The files service's errors: stable codes clients switch on."""

from __future__ import annotations

from burency_common.errors import (
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    UnsupportedMediaType,
)

__all__ = [
    "FileNotFound",
    "FileTooLarge",
    "InvalidSignature",
    "ServiceOnly",
    "UnsupportedFileType",
]


class FileTooLarge(PayloadTooLarge):
    default_code = "FILE_TOO_LARGE"
    title = "File too large"


class UnsupportedFileType(UnsupportedMediaType):
    default_code = "UNSUPPORTED_FILE_TYPE"
    title = "Unsupported file type"


class FileNotFound(NotFound):
    """Also the answer for somebody else's file: existence is not revealed."""

    default_code = "FILE_NOT_FOUND"
    title = "File not found"


class ServiceOnly(PermissionDenied):
    default_code = "SERVICE_ONLY"
    title = "Only Burency services may call this"


class InvalidSignature(PermissionDenied):
    default_code = "INVALID_URL_SIGNATURE"
    title = "Invalid or expired URL"
