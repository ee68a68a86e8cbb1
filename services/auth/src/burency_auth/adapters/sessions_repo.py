"""Queries over login sessions (refresh-token families) and their refresh tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters.orm import refresh_tokens, sessions
from burency_auth.adapters.users_repo import aware

__all__ = [
    "RefreshRecord",
    "SessionRecord",
    "get_refresh",
    "get_session",
    "insert_refresh",
    "insert_session",
    "list_active_sessions",
    "mark_rotated",
    "revoke_session",
    "revoke_user_sessions",
    "touch_session",
]


@dataclass(frozen=True)
class SessionRecord:
    id: str
    user_id: str
    device: str
    ip: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class RefreshRecord:
    id: str
    family_id: str
    secret_hash: str
    rotated_at: datetime | None
    successor_id: str | None
    successor_sealed: bytes | None
    session: SessionRecord


def _at(value: datetime | None) -> datetime:
    result = aware(value)
    assert result is not None
    return result


def _session(row: object) -> SessionRecord:
    m = row._mapping  # type: ignore[attr-defined]
    return SessionRecord(
        id=m[sessions.c.id],
        user_id=m[sessions.c.user_id],
        device=m[sessions.c.device],
        ip=m[sessions.c.ip],
        created_at=_at(m[sessions.c.created_at]),
        last_used_at=_at(m[sessions.c.last_used_at]),
        expires_at=_at(m[sessions.c.expires_at]),
        revoked_at=aware(m[sessions.c.revoked_at]),
    )


async def insert_session(
    db: AsyncSession,
    *,
    session_id: str,
    user_id: str,
    device: str,
    ip: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    await db.execute(
        insert(sessions).values(
            id=session_id,
            user_id=user_id,
            device=device,
            ip=ip,
            created_at=now,
            last_used_at=now,
            expires_at=expires_at,
        )
    )


async def insert_refresh(
    db: AsyncSession, *, token_id: str, family_id: str, secret_hash: str, now: datetime
) -> None:
    await db.execute(
        insert(refresh_tokens).values(
            id=token_id, family_id=family_id, secret_hash=secret_hash, created_at=now
        )
    )


async def get_session(db: AsyncSession, session_id: str) -> SessionRecord | None:
    row = (await db.execute(select(sessions).where(sessions.c.id == session_id))).first()
    return None if row is None else _session(row)


async def get_refresh(db: AsyncSession, token_id: str) -> RefreshRecord | None:
    query = (
        select(refresh_tokens, sessions)
        .join(sessions, sessions.c.id == refresh_tokens.c.family_id)
        .where(refresh_tokens.c.id == token_id)
    )
    row = (await db.execute(query)).first()
    if row is None:
        return None
    m = row._mapping
    return RefreshRecord(
        id=m[refresh_tokens.c.id],
        family_id=m[refresh_tokens.c.family_id],
        secret_hash=m[refresh_tokens.c.secret_hash],
        rotated_at=aware(m[refresh_tokens.c.rotated_at]),
        successor_id=m[refresh_tokens.c.successor_id],
        successor_sealed=m[refresh_tokens.c.successor_sealed],
        session=_session(row),
    )


async def successor_rotated(db: AsyncSession, successor_id: str) -> bool:
    query = select(refresh_tokens.c.rotated_at).where(refresh_tokens.c.id == successor_id)
    return (await db.scalar(query)) is not None


async def mark_rotated(
    db: AsyncSession, *, token_id: str, successor_id: str, sealed: bytes, now: datetime
) -> bool:
    """Rotate ``token_id`` unless someone else just did (atomic compare-and-set)."""
    result = await db.execute(
        update(refresh_tokens)
        .where(refresh_tokens.c.id == token_id, refresh_tokens.c.rotated_at.is_(None))
        .values(rotated_at=now, successor_id=successor_id, successor_sealed=sealed)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def touch_session(db: AsyncSession, session_id: str, *, now: datetime) -> None:
    await db.execute(update(sessions).where(sessions.c.id == session_id).values(last_used_at=now))


async def revoke_session(
    db: AsyncSession, session_id: str, *, reason: str, now: datetime, user_id: str | None = None
) -> bool:
    """Revoke one live session (of ``user_id`` when given); False if none matched."""
    query = update(sessions).where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(sessions.c.user_id == user_id)
    result = await db.execute(query.values(revoked_at=now, revoke_reason=reason))
    return bool(getattr(result, "rowcount", 0) == 1)


async def revoke_user_sessions(
    db: AsyncSession, user_id: str, *, reason: str, now: datetime, keep: str | None = None
) -> list[str]:
    """Revoke every live session of ``user_id`` except ``keep``; returns the revoked ids."""
    query = select(sessions.c.id).where(
        sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(sessions.c.id != keep)
    ids = list((await db.execute(query)).scalars().all())
    if ids:
        await db.execute(
            update(sessions)
            .where(sessions.c.id.in_(ids))
            .values(revoked_at=now, revoke_reason=reason)
        )
    return ids


async def list_active_sessions(
    db: AsyncSession, user_id: str, *, now: datetime
) -> list[SessionRecord]:
    query = (
        select(sessions)
        .where(
            sessions.c.user_id == user_id,
            sessions.c.revoked_at.is_(None),
            sessions.c.expires_at > now,
        )
        .order_by(sessions.c.created_at.desc())
    )
    return [_session(row) for row in (await db.execute(query)).all()]
