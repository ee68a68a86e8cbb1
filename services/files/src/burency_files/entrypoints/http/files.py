"""The user-facing routes: ``/v1/files`` (upload, list, metadata, URL, delete)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Path, Query, Request, Response

from burency_common.timeutil import to_iso_ms
from burency_files.domain.errors import FileTooLarge
from burency_files.domain.kinds import POLICIES, FileKind, Visibility
from burency_files.domain.records import FileRecord
from burency_files.entrypoints.http.deps import Ctx, CurrentActor, Meta
from burency_files.entrypoints.http.multipart import MULTIPART_OVERHEAD, file_part
from burency_files.entrypoints.http.schemas import FileOut, FilesPage, UrlOut, problems
from burency_files.service import access, uploads
from burency_files.service.context import FilesContext

__all__ = ["file_out", "files_router"]

FileId = Annotated[str, Path(max_length=36)]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=36)]

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def file_out(ctx: FilesContext, record: FileRecord) -> FileOut:
    public = record.visibility == Visibility.PUBLIC.value
    thumb = record.thumbnail_key
    return FileOut(
        id=record.id,
        owner_id=record.owner_id,
        kind=record.kind,
        original_name=record.original_name,
        content_type=record.content_type,
        size=record.size,
        sha256=record.sha256,
        visibility=record.visibility,
        created_at=to_iso_ms(record.created_at),
        public_url=ctx.storage.public_url(record.storage_key) if public else None,
        thumbnail_url=ctx.storage.public_url(thumb) if public and thumb else None,
    )


async def _body(
    request: Request, kind: FileKind, name: str | None
) -> tuple[AsyncIterator[bytes], str]:
    """The upload's byte stream and file name, from a multipart form or a raw body."""
    limit = POLICIES[kind].max_size
    declared = request.headers.get("content-length", "")
    content_type = request.headers.get("content-type", "application/octet-stream")
    multipart = content_type.lower().startswith("multipart/form-data")
    if declared.isdigit() and int(declared) > limit + (MULTIPART_OVERHEAD if multipart else 0):
        raise FileTooLarge(f"files of this kind may be at most {limit // (1024 * 1024)} MB")
    header_name = request.headers.get("x-file-name")
    filename = name or (unquote(header_name) if header_name else None) or "file"
    if multipart:
        return await file_part(request.stream(), content_type, fallback_name=filename)
    # Any other Content-Type is a raw body: the declared type is ignored, never trusted.
    return request.stream(), filename


async def upload(
    *,
    request: Request,
    ctx: Ctx,
    actor: CurrentActor,
    meta: Meta,
    kind: Annotated[FileKind, Query()],
    name: Annotated[str | None, Query(max_length=255)] = None,
) -> FileOut:
    chunks, filename = await _body(request, kind, name)
    record = await uploads.upload(
        ctx,
        owner_id=actor.user_id,
        roles=actor.roles,
        kind=kind,
        filename=filename,
        chunks=chunks,
        meta=meta,
    )
    return file_out(ctx, record)


async def list_files(
    ctx: Ctx, actor: CurrentActor, limit: Limit = 50, cursor: Cursor = None
) -> FilesPage:
    found, next_cursor = await access.list_own(ctx, actor, cursor=cursor, limit=limit)
    return FilesPage(items=[file_out(ctx, r) for r in found], next_cursor=next_cursor)


async def get_file(ctx: Ctx, actor: CurrentActor, meta: Meta, file_id: FileId) -> FileOut:
    return file_out(ctx, await access.get_own(ctx, actor, file_id, meta))


async def file_url(ctx: Ctx, actor: CurrentActor, meta: Meta, file_id: FileId) -> UrlOut:
    issued = await access.issue_url(ctx, actor, file_id, meta)
    return UrlOut(url=issued.url, expires_at=to_iso_ms(issued.expires_at))


async def delete_file(ctx: Ctx, actor: CurrentActor, meta: Meta, file_id: FileId) -> Response:
    await access.delete_own(ctx, actor, file_id, meta)
    return Response(status_code=204)


def files_router() -> APIRouter:
    router = APIRouter(prefix="/v1/files", tags=["files"])
    add = router.add_api_route
    add(
        "",
        upload,
        methods=["POST"],
        status_code=201,
        responses=problems(401, 413, 415, 422),
        openapi_extra=_UPLOAD_BODY,
        summary="Upload a file (multipart field `file`, or a raw application/octet-stream body)",
    )
    add("", list_files, methods=["GET"], responses=problems(401), summary="My files, cursor-paged")
    missing = problems(401, 404)
    add("/{file_id}", get_file, methods=["GET"], responses=missing, summary="My file's metadata")
    add(
        "/{file_id}/url",
        file_url,
        methods=["GET"],
        responses=missing,
        summary="A short-lived download URL (owner, or permission files.read_private)",
    )
    add(
        "/{file_id}",
        delete_file,
        methods=["DELETE"],
        status_code=204,
        response_class=Response,
        responses=missing,
        summary="Delete my file (its bytes go with the next cleanup)",
    )
    return router
