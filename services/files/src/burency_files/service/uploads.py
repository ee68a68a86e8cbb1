"""Uploading a file: sniff, enforce the kind's limits while streaming, store, record.

Order matters for "nothing left behind": the object is stored first (the storage
adapter removes partial uploads itself), then the row is inserted; should the insert
fail, the stored objects are deleted again. A stream that goes past the kind's limit
is cut off at once (413) and nothing more of it is read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from burency_common.strings import sanitize_filename
from burency_files.adapters import files_repo
from burency_files.adapters.files_repo import FileRecord
from burency_files.adapters.storage.port import ObjectTooLarge, SizeCounter, StoredObject
from burency_files.domain.errors import FileTooLarge, UnsupportedFileType
from burency_files.domain.kinds import (
    KYC_KINDS,
    POLICIES,
    SNIFF_BYTES,
    FileKind,
    KindPolicy,
    new_key,
    sniff,
)
from burency_files.service.context import FilesContext, RequestMeta
from burency_files.service.images import reencode

__all__ = ["upload"]

_MIB = 1024 * 1024


def _too_large(policy: KindPolicy) -> FileTooLarge:
    return FileTooLarge(f"files of this kind may be at most {policy.max_size // _MIB} MB")


async def _read_head(
    chunks: AsyncIterator[bytes], policy: KindPolicy
) -> tuple[bytes, AsyncIterator[bytes]]:
    """Pull chunks until the magic bytes are known; return them and the rest of the stream."""
    head = b""
    iterator = aiter(chunks)
    while len(head) < SNIFF_BYTES:
        try:
            head += await anext(iterator)
        except StopAsyncIteration:
            break
        if len(head) > policy.max_size:
            raise _too_large(policy)
    return head, iterator


async def _chain(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if head:
        yield head
    async for chunk in rest:
        if chunk:
            yield chunk


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _put(
    ctx: FilesContext, key: str, chunks: AsyncIterator[bytes], content_type: str, limit: int
) -> StoredObject:
    return await ctx.storage.put_stream(key, chunks, content_type=content_type, size_limit=limit)


async def _store_avatar(
    ctx: FilesContext, key: str, chunks: AsyncIterator[bytes], content_type: str
) -> tuple[StoredObject, str, str]:
    """Read the (small, bounded) avatar, re-encode it, store it and its thumbnail."""
    policy = POLICIES[FileKind.AVATAR]
    counter = SizeCounter(policy.max_size)
    buffer = bytearray()
    async for chunk in chunks:
        counter.feed(chunk)
        buffer += chunk
    settings = ctx.settings
    image = await asyncio.to_thread(
        reencode,
        bytes(buffer),
        content_type=content_type,
        max_pixels=settings.max_image_pixels,
        max_side=settings.avatar_max_side,
        thumb_side=settings.thumbnail_side,
    )
    thumb_key = key + ".thumb"
    limit = len(image.data) + len(image.thumbnail)
    stored = await _put(ctx, key, _once(image.data), image.content_type, limit)
    try:
        await _put(ctx, thumb_key, _once(image.thumbnail), image.content_type, limit)
    except BaseException:
        await ctx.storage.delete(key)
        raise
    return stored, thumb_key, image.content_type


async def upload(
    ctx: FilesContext,
    *,
    owner_id: str,
    roles: frozenset[str],
    kind: FileKind,
    filename: str | None,
    chunks: AsyncIterator[bytes],
    meta: RequestMeta,
) -> FileRecord:
    """Store one upload of ``kind`` for ``owner_id``; 415/413 leave nothing behind."""
    policy = POLICIES[kind]
    head, rest = await _read_head(chunks, policy)
    content_type = sniff(head[:SNIFF_BYTES])
    if content_type is None or content_type not in policy.types:
        raise UnsupportedFileType("this kind of file does not accept that content")
    key = new_key(kind)
    thumb_key: str | None = None
    try:
        if kind is FileKind.AVATAR:
            stored, thumb_key, content_type = await _store_avatar(
                ctx, key, _chain(head, rest), content_type
            )
        else:
            stored = await _put(ctx, key, _chain(head, rest), content_type, policy.max_size)
    except ObjectTooLarge:
        raise _too_large(policy) from None
    record = FileRecord(
        id=key.split("/", 1)[1],
        owner_id=owner_id,
        kind=kind.value,
        original_name=sanitize_filename(filename or "file"),
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        visibility=policy.visibility.value,
        storage_key=key,
        thumbnail_key=thumb_key,
        created_at=ctx.now(),
    )
    try:
        await _record(ctx, record, roles, meta)
    except BaseException:
        await _discard(ctx, record)
        raise
    return record


async def _record(
    ctx: FilesContext, record: FileRecord, roles: frozenset[str], meta: RequestMeta
) -> None:
    async with ctx.transaction() as db:
        await files_repo.add_file(db, record)
        if FileKind(record.kind) in KYC_KINDS:
            await files_repo.add_access(
                db,
                file_id=record.id,
                actor_id=record.owner_id,
                actor_roles=sorted(roles),
                action="upload",
                at=record.created_at,
                request_id=meta.request_id,
                ip=meta.ip,
            )


async def _discard(ctx: FilesContext, record: FileRecord) -> None:
    for key in (record.storage_key, record.thumbnail_key):
        if key:
            with contextlib.suppress(Exception):
                await asyncio.shield(ctx.storage.delete(key))
