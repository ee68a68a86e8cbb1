"""A stored file and an access-log entry as the service layer hands them out (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["AccessRecord", "FileRecord", "aware"]


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(frozen=True)
class FileRecord:
    id: str
    owner_id: str
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    visibility: str
    storage_key: str
    thumbnail_key: str | None
    created_at: datetime
    deleted_at: datetime | None = None
    purged_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> FileRecord:
        values = dict(row._mapping)
        for name in ("created_at", "deleted_at", "purged_at"):
            values[name] = aware(values[name])
        return cls(**values)


@dataclass(frozen=True)
class AccessRecord:
    id: str
    file_id: str
    actor_id: str
    actor_roles: str
    action: str
    reason: str | None
    request_id: str | None
    ip: str | None
    at: datetime

    @classmethod
    def from_row(cls, row: Any) -> AccessRecord:
        values = dict(row._mapping)
        values["at"] = aware(values["at"])
        return cls(**values)
