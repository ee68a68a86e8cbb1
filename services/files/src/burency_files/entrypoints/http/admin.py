"""Operator routes under ``/v1/admin`` (the gateway also requires a staff role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from burency_common.identity import Identity
from burency_common.permissions import require_permission
from burency_common.timeutil import to_iso_ms
from burency_files.entrypoints.http.deps import Ctx
from burency_files.entrypoints.http.schemas import AccessEntryOut, AccessPage, problems
from burency_files.service import access

__all__ = ["admin_router"]

Auditor = Annotated[Identity, Depends(require_permission("audit.read"))]


async def access_log(
    ctx: Ctx,
    _: Auditor,
    file_id: Annotated[str, Path(max_length=36)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=36)] = None,
) -> AccessPage:
    found, next_cursor = await access.access_log(ctx, file_id, cursor=cursor, limit=limit)
    items = [
        AccessEntryOut(
            id=e.id,
            file_id=e.file_id,
            actor_id=e.actor_id,
            actor_roles=[r for r in e.actor_roles.split(",") if r],
            action=e.action,
            reason=e.reason,
            request_id=e.request_id,
            ip=e.ip,
            at=to_iso_ms(e.at),
        )
        for e in found
    ]
    return AccessPage(items=items, next_cursor=next_cursor)


def admin_router() -> APIRouter:
    router = APIRouter(prefix="/v1/admin/files", tags=["admin"])
    router.add_api_route(
        "/{file_id}/access-log",
        access_log,
        methods=["GET"],
        responses=problems(401, 403, 404),
        summary="Who accessed a file (KYC files), newest first; permission audit.read",
    )
    return router
