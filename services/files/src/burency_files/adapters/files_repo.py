"""Reading and writing file metadata and the access log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.ids import new_id
from burency_files.adapters.orm import access_log, files

__all__ = [
    "AccessRecord",
    "FileRecord",
    "add_access",
    "add_file",
    "content_type_of",
    "get_file",
    "list_access",
    "list_owned",
    "mark_deleted",
    "mark_purged",
    "purgeable",
]


def _aware(value: datetime | None) -> datetime | None:
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
            values[name] = _aware(values[name])
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
        values["at"] = _aware(values["at"])
        return cls(**values)


async def add_file(db: AsyncSession, record: FileRecord) -> None:
    await db.execute(insert(files).values(**record.__dict__))


async def get_file(db: AsyncSession, file_id: str) -> FileRecord | None:
    row = (await db.execute(select(files).where(files.c.id == file_id))).first()
    return FileRecord.from_row(row) if row else None


async def content_type_of(db: AsyncSession, key: str) -> str | None:
    """The content type recorded for an object key (a thumbnail shares its image's)."""
    stored = key.removesuffix(".thumb")
    value = await db.scalar(select(files.c.content_type).where(files.c.storage_key == stored))
    return str(value) if value is not None else None


async def list_owned(
    db: AsyncSession, owner_id: str, *, cursor: str | None, limit: int
) -> tuple[list[FileRecord], str | None]:
    """Newest first (ids are UUIDv7); the cursor is the last id of the previous page."""
    query = select(files).where(files.c.owner_id == owner_id, files.c.deleted_at.is_(None))
    if cursor:
        query = query.where(files.c.id < cursor)
    rows = (await db.execute(query.order_by(files.c.id.desc()).limit(limit + 1))).all()
    found = [FileRecord.from_row(r) for r in rows[:limit]]
    return found, (found[-1].id if len(rows) > limit else None)


async def mark_deleted(db: AsyncSession, file_id: str, at: datetime) -> bool:
    result = await db.execute(
        update(files)
        .where(files.c.id == file_id, files.c.deleted_at.is_(None))
        .values(deleted_at=at)
    )
    return bool(getattr(result, "rowcount", 0))


async def purgeable(db: AsyncSession, limit: int = 100) -> Sequence[FileRecord]:
    query = (
        select(files)
        .where(files.c.deleted_at.is_not(None), files.c.purged_at.is_(None))
        .order_by(files.c.deleted_at)
        .limit(limit)
    )
    return [FileRecord.from_row(r) for r in (await db.execute(query)).all()]


async def mark_purged(db: AsyncSession, file_id: str, at: datetime) -> None:
    await db.execute(update(files).where(files.c.id == file_id).values(purged_at=at))


async def add_access(
    db: AsyncSession,
    *,
    file_id: str,
    actor_id: str,
    actor_roles: Sequence[str],
    action: str,
    at: datetime,
    reason: str | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> None:
    await db.execute(
        insert(access_log).values(
            id=new_id(),
            file_id=file_id,
            actor_id=actor_id[:64],
            actor_roles=",".join(sorted(actor_roles))[:255],
            action=action,
            reason=reason[:500] if reason else None,
            request_id=request_id[:64] if request_id else None,
            ip=ip[:64] if ip else None,
            at=at,
        )
    )


async def list_access(
    db: AsyncSession, file_id: str, *, cursor: str | None, limit: int
) -> tuple[list[AccessRecord], str | None]:
    query = select(access_log).where(access_log.c.file_id == file_id)
    if cursor:
        query = query.where(access_log.c.id < cursor)
    rows = (await db.execute(query.order_by(access_log.c.id.desc()).limit(limit + 1))).all()
    found = [AccessRecord.from_row(r) for r in rows[:limit]]
    return found, (found[-1].id if len(rows) > limit else None)
