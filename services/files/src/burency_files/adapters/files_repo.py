"""Reading and writing file metadata and the access log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.ids import new_id
from burency_files.adapters.orm import access_log, files
from burency_files.domain.records import AccessRecord, FileRecord

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
