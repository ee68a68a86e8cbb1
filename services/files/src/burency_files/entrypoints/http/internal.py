"""``/internal/v1/files``: for other Burency services only (role ``service``).

The gateway refuses ``/internal/*`` from clients; the signed identity header with
the ``service`` role is what keeps anything else on the network out.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from burency_common.timeutil import to_iso_ms
from burency_files.domain.errors import FileNotFound
from burency_files.entrypoints.http.deps import Ctx, Meta, ServiceCaller
from burency_files.entrypoints.http.schemas import (
    AccessUrlIn,
    InternalFileOut,
    InternalUrlOut,
    problems,
)
from burency_files.service import access
from burency_files.service.context import Actor

__all__ = ["internal_router"]

FileId = Annotated[str, Path(max_length=36)]


async def get_file(ctx: Ctx, _: ServiceCaller, file_id: FileId) -> InternalFileOut:
    record = await access.find_file(ctx, file_id)
    if record is None:
        raise FileNotFound()
    return InternalFileOut(
        id=record.id,
        owner_id=record.owner_id,
        kind=record.kind,
        original_name=record.original_name,
        content_type=record.content_type,
        size=record.size,
        sha256=record.sha256,
        visibility=record.visibility,
        deleted=record.deleted_at is not None,
    )


async def access_url(
    ctx: Ctx, caller: ServiceCaller, meta: Meta, file_id: FileId, body: AccessUrlIn
) -> InternalUrlOut:
    """A URL for ``actorId`` (the owner, or a holder of files.read_private), logged, with
    what it serves (content type, original name) for the reviewer's document viewer."""
    actor = Actor(user_id=body.actor_id, roles=frozenset(body.actor_roles))
    reason = f"{body.reason} (via {caller.user_id})"
    issued = await access.issue_url(ctx, actor, file_id, meta, reason=reason)
    return InternalUrlOut(
        url=issued.url,
        expires_at=to_iso_ms(issued.expires_at),
        content_type=issued.content_type,
        original_name=issued.original_name,
    )


def internal_router() -> APIRouter:
    router = APIRouter(prefix="/internal/v1/files", tags=["internal"])
    errors = problems(401, 403, 404)
    router.add_api_route(
        "/{file_id}", get_file, methods=["GET"], responses=errors, summary="A file's metadata"
    )
    router.add_api_route(
        "/{file_id}/access-url",
        access_url,
        methods=["POST"],
        responses={**errors, **problems(422)},
        summary="A short-lived URL for a user acting through a service (logged)",
    )
    return router
