"""Operator endpoints under ``/v1/admin`` (the gateway also requires a staff role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from burency_auth.domain.audit import AuditRecord
from burency_auth.domain.users import UserRecord
from burency_auth.entrypoints.http.deps import Ctx, Meta
from burency_auth.entrypoints.http.schemas import (
    AdminUserOut,
    AuditEntryOut,
    AuditPage,
    RoleIn,
    UserLookupIn,
    UsersFound,
    UsersPage,
    problems,
)
from burency_auth.service import admin
from burency_common.identity import Identity
from burency_common.permissions import require_permission
from burency_common.timeutil import to_iso_ms

__all__ = ["admin_router"]

UserId = Annotated[str, Path(max_length=64)]
RoleName = Annotated[str, Path(max_length=32)]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=64)]
Reader = Annotated[Identity, Depends(require_permission("users.read"))]
Granter = Annotated[Identity, Depends(require_permission("roles.grant"))]
Disabler = Annotated[Identity, Depends(require_permission("users.disable"))]
Auditor = Annotated[Identity, Depends(require_permission("audit.read"))]


def _user_out(user: UserRecord) -> AdminUserOut:
    return AdminUserOut(
        id=user.id,
        email=user.email,
        roles=sorted(user.roles),
        created_at=to_iso_ms(user.created_at),
        email_verified=user.email_verified_at is not None,
        disabled=user.disabled_at is not None,
        totp_enabled=user.totp_enabled,
    )


async def users(
    ctx: Ctx,
    _: Reader,
    email: Annotated[str | None, Query(max_length=320)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> UsersPage:
    found, next_cursor = await admin.find_users(ctx, email=email, cursor=cursor, limit=limit)
    return UsersPage(items=[_user_out(u) for u in found], next_cursor=next_cursor)


async def lookup(body: UserLookupIn, ctx: Ctx, _: Reader) -> UsersFound:
    found = await admin.users_by_ids(ctx, ids=body.ids)
    return UsersFound(items=[_user_out(u) for u in found])


async def grant(
    user_id: UserId, body: RoleIn, ctx: Ctx, meta: Meta, actor: Granter
) -> AdminUserOut:
    user = await admin.grant_user_role(ctx, actor=actor, meta=meta, user_id=user_id, role=body.role)
    return _user_out(user)


async def revoke(
    user_id: UserId, role: RoleName, ctx: Ctx, meta: Meta, actor: Granter
) -> AdminUserOut:
    user = await admin.revoke_user_role(ctx, actor=actor, meta=meta, user_id=user_id, role=role)
    return _user_out(user)


async def disable(user_id: UserId, ctx: Ctx, meta: Meta, actor: Disabler) -> AdminUserOut:
    user = await admin.set_user_disabled(
        ctx, actor=actor, meta=meta, user_id=user_id, disabled=True
    )
    return _user_out(user)


async def enable(user_id: UserId, ctx: Ctx, meta: Meta, actor: Disabler) -> AdminUserOut:
    user = await admin.set_user_disabled(
        ctx, actor=actor, meta=meta, user_id=user_id, disabled=False
    )
    return _user_out(user)


def _audit_out(entry: AuditRecord) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.id,
        actor_id=entry.actor_id,
        action=entry.action,
        target=entry.target,
        details=entry.details,
        ip=entry.ip,
        request_id=entry.request_id,
        at=to_iso_ms(entry.at),
    )


async def audit_log(ctx: Ctx, _: Auditor, limit: Limit = 50, cursor: Cursor = None) -> AuditPage:
    entries, next_cursor = await admin.audit_entries(ctx, cursor=cursor, limit=limit)
    return AuditPage(items=[_audit_out(e) for e in entries], next_cursor=next_cursor)


def admin_router() -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=problems(401, 403, 422))
    add = router.add_api_route
    add("/users", users, methods=["GET"], summary="Find users (e-mail substring), cursor-paged")
    add(
        "/users/lookup",
        lookup,
        methods=["POST"],
        summary="Accounts by id (up to 200), for showing e-mails in staff lists",
    )
    target = problems(404, 409)
    add("/users/{user_id}/roles", grant, methods=["POST"], responses=target, summary="Grant a role")
    add(
        "/users/{user_id}/roles/{role}",
        revoke,
        methods=["DELETE"],
        responses=target,
        summary="Revoke a role",
    )
    add(
        "/users/{user_id}/disable",
        disable,
        methods=["POST"],
        responses=target,
        summary="Disable an account and end its sessions",
    )
    add("/users/{user_id}/enable", enable, methods=["POST"], responses=target, summary="Re-enable")
    add("/audit-log", audit_log, methods=["GET"], summary="Operator actions, newest first")
    return router
