"""``GET /v1/objects/{key}``: serves objects of the local storage back-end.

Public objects (avatars) are served to anyone; any other object only with a valid,
unexpired ``signature`` made by :class:`~burency_files.adapters.storage.local.UrlSigner`.
With S3 storage clients fetch from S3 directly and this route answers 404.

An object is served with the content type recorded at upload (found by sniffing its
bytes, never taken from the client), so an avatar shows as the image it is; anything
outside the accepted types goes out as ``application/octet-stream``. ``nosniff`` and a
sandboxing CSP keep a browser from reading it as anything else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from burency_files.domain.errors import FileNotFound, InvalidSignature
from burency_files.domain.kinds import JPEG, PDF, PNG, WEBP, is_public_key, is_valid_key
from burency_files.entrypoints.http.deps import Ctx
from burency_files.entrypoints.http.schemas import problems
from burency_files.service.access import open_object, recorded_content_type
from burency_files.service.context import FilesContext

__all__ = ["objects_router"]

_MAX_EXPIRES = 2**40
_SERVED_TYPES = frozenset({JPEG, PNG, WEBP, PDF})
_OCTETS = "application/octet-stream"
_OBJECT_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


async def _prefetched(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk


async def get_object(
    ctx: Ctx,
    key: Annotated[str, Path(max_length=128)],
    expires: Annotated[int | None, Query(ge=0, le=_MAX_EXPIRES)] = None,
    name: Annotated[str | None, Query(max_length=255)] = None,
    signature: Annotated[str | None, Query(max_length=128)] = None,
) -> StreamingResponse:
    if ctx.signer is None or not is_valid_key(key):
        raise FileNotFound()
    if expires is not None and signature is not None and name is not None:
        if not ctx.signer.verify(key, expires=expires, filename=name, signature=signature):
            raise InvalidSignature("the URL is invalid or has expired")
    elif not is_public_key(key):
        raise InvalidSignature("this object needs a signed URL")
    first, chunks = await open_object(ctx, key)
    headers = dict(_OBJECT_HEADERS)
    if name is not None:
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    media_type = await _served_type(ctx, key)
    return StreamingResponse(_prefetched(first, chunks), media_type=media_type, headers=headers)


async def _served_type(ctx: FilesContext, key: str) -> str:
    recorded = await recorded_content_type(ctx, key)
    return recorded if recorded in _SERVED_TYPES else _OCTETS


def objects_router() -> APIRouter:
    router = APIRouter(prefix="/v1/objects", tags=["objects"])
    router.add_api_route(
        "/{key:path}",
        get_object,
        methods=["GET"],
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "The object, with the content type recorded at upload",
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in (*sorted(_SERVED_TYPES), _OCTETS)
                },
            },
            **problems(403, 404, 422),
        },
        summary="Download an object (local storage: public avatars, or a signed URL)",
    )
    return router
