"""Who may see a file, handing out short-lived URLs, and the KYC access log.

Someone else's file is *not found* (404), never *forbidden* (403): a 403 would
confirm that the id exists. Every access to a KYC file, by anyone, is logged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from burency_common.permissions import has_permission
from burency_files.adapters import files_repo
from burency_files.adapters.storage.port import ObjectNotFound
from burency_files.domain.errors import FileNotFound
from burency_files.domain.kinds import KYC_KINDS, FileKind
from burency_files.domain.records import AccessRecord, FileRecord
from burency_files.service.context import Actor, FilesContext, RequestMeta

__all__ = [
    "IssuedUrl",
    "access_log",
    "delete_own",
    "find_file",
    "get_own",
    "issue_url",
    "list_own",
    "open_object",
    "recorded_content_type",
]

READ_PRIVATE = "files.read_private"


@dataclass(frozen=True)
class IssuedUrl:
    url: str
    expires_at: datetime
    content_type: str  # what the link serves (a reviewer's viewer picks image or PDF)
    original_name: str  # the uploader's file name, sanitised at upload


def _may_read(actor: Actor, record: FileRecord) -> bool:
    if actor.user_id == record.owner_id:
        return True
    return actor.staff_capable and has_permission(actor.roles, READ_PRIVATE)


async def _log(
    ctx: FilesContext,
    record: FileRecord,
    actor: Actor,
    action: str,
    meta: RequestMeta,
    *,
    reason: str | None = None,
) -> None:
    if FileKind(record.kind) not in KYC_KINDS:
        return
    async with ctx.transaction() as db:
        await files_repo.add_access(
            db,
            file_id=record.id,
            actor_id=actor.user_id,
            actor_roles=sorted(actor.roles),
            action=action,
            at=ctx.now(),
            reason=reason,
            request_id=meta.request_id,
            ip=meta.ip,
        )


async def find_file(ctx: FilesContext, file_id: str) -> FileRecord | None:
    async with ctx.transaction() as db:
        return await files_repo.get_file(db, file_id)


async def _live(ctx: FilesContext, file_id: str) -> FileRecord:
    record = await find_file(ctx, file_id)
    if record is None or record.deleted_at is not None:
        raise FileNotFound()
    return record


async def get_own(ctx: FilesContext, actor: Actor, file_id: str, meta: RequestMeta) -> FileRecord:
    record = await _live(ctx, file_id)
    if record.owner_id != actor.user_id:
        raise FileNotFound()
    await _log(ctx, record, actor, "metadata", meta)
    return record


async def list_own(
    ctx: FilesContext, actor: Actor, *, cursor: str | None, limit: int
) -> tuple[list[FileRecord], str | None]:
    async with ctx.transaction() as db:
        return await files_repo.list_owned(db, actor.user_id, cursor=cursor, limit=limit)


async def delete_own(ctx: FilesContext, actor: Actor, file_id: str, meta: RequestMeta) -> None:
    """Soft delete: the row stays (audit), the objects go with the next cleanup run."""
    record = await _live(ctx, file_id)
    if record.owner_id != actor.user_id:
        raise FileNotFound()
    async with ctx.transaction() as db:
        await files_repo.mark_deleted(db, record.id, ctx.now())
    await _log(ctx, record, actor, "delete", meta)


async def issue_url(
    ctx: FilesContext,
    actor: Actor,
    file_id: str,
    meta: RequestMeta,
    *,
    reason: str | None = None,
) -> IssuedUrl:
    """A short-lived download URL, for the owner or a holder of ``files.read_private``."""
    record = await _live(ctx, file_id)
    if not _may_read(actor, record):
        raise FileNotFound()
    ttl = ctx.settings.url_ttl_seconds
    url = await ctx.storage.presigned_get_url(
        record.storage_key, expires_in=ttl, filename=record.original_name
    )
    await _log(ctx, record, actor, "url", meta, reason=reason)
    return IssuedUrl(
        url=url,
        expires_at=ctx.now() + timedelta(seconds=ttl),
        content_type=record.content_type,
        original_name=record.original_name,
    )


async def access_log(
    ctx: FilesContext, file_id: str, *, cursor: str | None, limit: int
) -> tuple[list[AccessRecord], str | None]:
    async with ctx.transaction() as db:
        if await files_repo.get_file(db, file_id) is None:
            raise FileNotFound()
        return await files_repo.list_access(db, file_id, cursor=cursor, limit=limit)


async def open_object(ctx: FilesContext, key: str) -> tuple[bytes, AsyncIterator[bytes]]:
    """The object's first chunk (read now, so a missing object is a 404 before any
    header goes out) and the rest; raises :class:`FileNotFound`."""
    chunks = ctx.storage.stream(key)
    try:
        first = await anext(chunks, b"")
    except ObjectNotFound:
        raise FileNotFound() from None
    return first, chunks


async def recorded_content_type(ctx: FilesContext, key: str) -> str | None:
    """The content type recorded for an object key (a thumbnail shares its image's)."""
    async with ctx.transaction() as db:
        return await files_repo.content_type_of(db, key)
