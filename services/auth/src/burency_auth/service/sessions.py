"""A user's own sessions: list, end one, log out, log out everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters import sessions_repo
from burency_auth.domain.errors import not_found
from burency_auth.service.context import AuthContext

__all__ = [
    "SessionView",
    "end_all_sessions",
    "list_sessions",
    "logout",
    "logout_all",
    "revoke_own_session",
]


@dataclass(frozen=True)
class SessionView:
    id: str
    device: str
    ip: str
    created_at: datetime
    last_used_at: datetime
    current: bool


async def list_sessions(
    ctx: AuthContext, *, user_id: str, current_session_id: str | None
) -> list[SessionView]:
    async with ctx.transaction() as db:
        records = await sessions_repo.list_active_sessions(db, user_id, now=ctx.clock.now())
    return [
        SessionView(r.id, r.device, r.ip, r.created_at, r.last_used_at, r.id == current_session_id)
        for r in records
    ]


async def revoke_own_session(
    ctx: AuthContext, *, user_id: str, session_id: str, reason: str = "user_revoked"
) -> None:
    """End one session of ``user_id``; 404 ``SESSION_NOT_FOUND`` for anyone else's."""
    async with ctx.transaction() as db:
        if not await sessions_repo.revoke_session(
            db, session_id, reason=reason, now=ctx.clock.now(), user_id=user_id
        ):
            raise not_found("session", "SESSION_NOT_FOUND")
        await ctx.announce_revocation(db, user_id=user_id, session_id=session_id, reason=reason)


async def logout(ctx: AuthContext, *, user_id: str, session_id: str | None) -> None:
    """End the caller's session (idempotent: logging out twice is not an error)."""
    if session_id is None:
        return
    async with ctx.transaction() as db:
        await sessions_repo.revoke_session(
            db, session_id, reason="logout", now=ctx.clock.now(), user_id=user_id
        )
        await ctx.announce_revocation(db, user_id=user_id, session_id=session_id, reason="logout")


async def end_all_sessions(
    ctx: AuthContext, db: AsyncSession, *, user_id: str, reason: str, keep: str | None = None
) -> list[str]:
    """Revoke every session of ``user_id`` but ``keep`` and announce it (caller's transaction)."""
    ids = await sessions_repo.revoke_user_sessions(
        db, user_id, reason=reason, now=ctx.clock.now(), keep=keep
    )
    for session_id in ids:
        await ctx.announce_revocation(db, user_id=user_id, session_id=session_id, reason=reason)
    if keep is None:
        await ctx.announce_revocation(db, user_id=user_id, all_sessions=True, reason=reason)
    return ids


async def logout_all(ctx: AuthContext, *, user_id: str) -> int:
    """End every session of the caller, this one included; returns how many ended."""
    async with ctx.transaction() as db:
        ids = await end_all_sessions(ctx, db, user_id=user_id, reason="logout_all")
    return len(ids)
