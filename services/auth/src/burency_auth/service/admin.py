"""Operator use cases: find users, grant/revoke roles, disable/enable accounts, audit log.

Every action that changes something writes an ``audit_log`` row in the same
transaction as the change (actor, action, target, details, IP, request id).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters import audit_repo, users_repo
from burency_auth.adapters.users_repo import UserRecord
from burency_auth.domain.audit import AuditRecord
from burency_auth.domain.errors import invalid_field, not_found, wrong_state
from burency_auth.service.context import AuthContext, RequestMeta
from burency_auth.service.sessions import end_all_sessions
from burency_common.identity import Identity
from burency_common.permissions import ADMIN, ROLES

__all__ = [
    "audit_entries",
    "find_users",
    "grant_user_role",
    "own_account",
    "revoke_user_role",
    "set_user_disabled",
    "users_by_ids",
]


async def _audit(
    ctx: AuthContext,
    db: AsyncSession,
    *,
    actor: Identity,
    meta: RequestMeta,
    action: str,
    target: str,
    details: dict[str, Any],
) -> None:
    await audit_repo.add_audit(
        db,
        actor_id=actor.user_id,
        action=action,
        target=target,
        details=details,
        ip=meta.ip,
        request_id=meta.request_id,
        now=ctx.clock.now(),
    )


async def own_account(ctx: AuthContext, user_id: str) -> UserRecord:
    """The caller's own account (``GET /v1/me``): 404 if it no longer exists."""
    async with ctx.transaction() as db:
        return await _target(db, user_id)


async def _target(db: AsyncSession, user_id: str) -> UserRecord:
    user = await users_repo.get_user(db, user_id)
    if user is None:
        raise not_found("user", "USER_NOT_FOUND")
    return user


def _known_role(role: str) -> str:
    if role not in ROLES:
        raise invalid_field("role", "UNKNOWN_ROLE", f"role must be one of {sorted(ROLES)}")
    return role


async def find_users(
    ctx: AuthContext, *, email: str | None, cursor: str | None, limit: int
) -> tuple[list[UserRecord], str | None]:
    async with ctx.transaction() as db:
        found = await users_repo.list_users(
            db, email_contains=email, after_id=cursor, limit=limit + 1
        )
    page = found[:limit]
    return page, (page[-1].id if len(found) > limit else None)


async def users_by_ids(ctx: AuthContext, *, ids: Sequence[str]) -> list[UserRecord]:
    """The accounts among ``ids``, in the order asked (unknown ids are left out), so a
    staff list of user ids can show each one's e-mail."""
    async with ctx.transaction() as db:
        found = {u.id: u for u in await users_repo.users_by_ids(db, ids)}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


async def grant_user_role(
    ctx: AuthContext, *, actor: Identity, meta: RequestMeta, user_id: str, role: str
) -> UserRecord:
    _known_role(role)
    async with ctx.transaction() as db:
        await _target(db, user_id)
        if await users_repo.grant_role(db, user_id, role, now=ctx.clock.now(), by=actor.user_id):
            await _audit(
                ctx,
                db,
                actor=actor,
                meta=meta,
                action="role.granted",
                target=user_id,
                details={"role": role},
            )
        return await _target(db, user_id)


async def revoke_user_role(
    ctx: AuthContext, *, actor: Identity, meta: RequestMeta, user_id: str, role: str
) -> UserRecord:
    """Remove a role; the user's current access tokens are revoked so the change bites now."""
    _known_role(role)
    if role == ADMIN:
        _not_self(actor, user_id)
    async with ctx.transaction() as db:
        await _target(db, user_id)
        if await users_repo.revoke_role(db, user_id, role):
            await _audit(
                ctx,
                db,
                actor=actor,
                meta=meta,
                action="role.revoked",
                target=user_id,
                details={"role": role},
            )
            await ctx.announce_revocation(
                db, user_id=user_id, all_sessions=True, reason="roles_changed"
            )
        return await _target(db, user_id)


def _not_self(actor: Identity, user_id: str) -> None:
    """An operator cannot lock themselves out (disable self, drop own admin role)."""
    if actor.user_id == user_id:
        raise wrong_state("operators cannot do this to their own account", "CANNOT_TARGET_SELF")


async def set_user_disabled(
    ctx: AuthContext, *, actor: Identity, meta: RequestMeta, user_id: str, disabled: bool
) -> UserRecord:
    """Disable (ending every session at once) or re-enable an account."""
    _not_self(actor, user_id)
    now = ctx.clock.now()
    async with ctx.transaction() as db:
        user = await _target(db, user_id)
        details: dict[str, Any] = {}
        if disabled and user.disabled_at is None:
            await users_repo.update_user(db, user_id, disabled_at=now)
            ended = await end_all_sessions(ctx, db, user_id=user_id, reason="account_disabled")
            details = {"sessionsRevoked": len(ended)}
        elif not disabled and user.disabled_at is not None:
            await users_repo.update_user(db, user_id, disabled_at=None)
        else:
            return user
        action = "user.disabled" if disabled else "user.enabled"
        await _audit(
            ctx, db, actor=actor, meta=meta, action=action, target=user_id, details=details
        )
        return await _target(db, user_id)


async def audit_entries(
    ctx: AuthContext, *, cursor: str | None, limit: int
) -> tuple[list[AuditRecord], str | None]:
    async with ctx.transaction() as db:
        found = await audit_repo.list_audit(db, before_id=cursor, limit=limit + 1)
    page = found[:limit]
    return page, (page[-1].id if len(found) > limit else None)
