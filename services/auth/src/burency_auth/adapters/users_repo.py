"""Queries over users and their roles (SQLAlchemy Core on the caller's session)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters.orm import user_roles, users
from burency_auth.domain.users import UserRecord
from burency_common.validators import email_lookup_key

__all__ = [
    "UserRecord",
    "aware",
    "claim_totp_step",
    "get_user",
    "get_user_by_email_key",
    "grant_role",
    "insert_user",
    "list_users",
    "revoke_role",
    "roles_of",
    "update_user",
    "users_by_ids",
]


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored here is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _record(row: RowMapping, roles: frozenset[str]) -> UserRecord:
    created = aware(row["created_at"])
    assert created is not None
    return UserRecord(
        id=row["id"],
        email=row["email"],
        password_hash=row["password_hash"],
        created_at=created,
        email_verified_at=aware(row["email_verified_at"]),
        disabled_at=aware(row["disabled_at"]),
        totp_secret=row["totp_secret"],
        totp_pending_secret=row["totp_pending_secret"],
        totp_enabled_at=aware(row["totp_enabled_at"]),
        totp_last_step=row["totp_last_step"],
        roles=roles,
    )


async def roles_of(db: AsyncSession, user_id: str) -> frozenset[str]:
    result = await db.execute(select(user_roles.c.role).where(user_roles.c.user_id == user_id))
    return frozenset(result.scalars().all())


async def _one(db: AsyncSession, where: Any) -> UserRecord | None:
    row = (await db.execute(select(users).where(where))).mappings().first()
    if row is None:
        return None
    return _record(row, await roles_of(db, row["id"]))


async def get_user(db: AsyncSession, user_id: str) -> UserRecord | None:
    return await _one(db, users.c.id == user_id)


async def get_user_by_email_key(db: AsyncSession, email_key: str) -> UserRecord | None:
    """The account an address (any spelling a caller typed) belongs to.

    First by the canonical key (:func:`~burency_common.validators.canonical_email`):
    the full-width spelling of ``alice@example.com`` finds that account, and a
    look-alike that is not an acceptable address finds none. Then by the address
    exactly as given, which only an account created before canonical keys can hold.
    """
    key = email_lookup_key(email_key)
    user = await _one(db, users.c.email_key == key)
    exact = email_key.strip().casefold()
    if user is None and exact != key:
        user = await _one(db, users.c.email_key == exact)
    return user


async def insert_user(
    db: AsyncSession,
    *,
    user_id: str,
    email: str,
    password_hash: str,
    now: datetime,
    roles: frozenset[str],
    referral_code: str | None = None,
    verified: bool = False,
) -> None:
    await db.execute(
        insert(users).values(
            id=user_id,
            email=email,
            email_key=email_lookup_key(email),
            password_hash=password_hash,
            created_at=now,
            email_verified_at=now if verified else None,
            referral_code=referral_code,
        )
    )
    for role in sorted(roles):
        await db.execute(insert(user_roles).values(user_id=user_id, role=role, granted_at=now))


async def update_user(db: AsyncSession, user_id: str, **values: Any) -> None:
    await db.execute(update(users).where(users.c.id == user_id).values(**values))


async def claim_totp_step(db: AsyncSession, user_id: str, step: int) -> bool:
    """Remember ``step`` unless an equal or later one was used (atomic: no double use)."""
    result = await db.execute(
        update(users)
        .where(users.c.id == user_id)
        .where(or_(users.c.totp_last_step.is_(None), users.c.totp_last_step < step))
        .values(totp_last_step=step)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def grant_role(
    db: AsyncSession, user_id: str, role: str, *, now: datetime, by: str | None
) -> bool:
    """Add ``role``; False when the user already had it."""
    if role in await roles_of(db, user_id):
        return False
    await db.execute(
        insert(user_roles).values(user_id=user_id, role=role, granted_at=now, granted_by=by)
    )
    return True


async def revoke_role(db: AsyncSession, user_id: str, role: str) -> bool:
    result = await db.execute(
        delete(user_roles).where(user_roles.c.user_id == user_id, user_roles.c.role == role)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def list_users(
    db: AsyncSession, *, email_contains: str | None, after_id: str | None, limit: int
) -> list[UserRecord]:
    """Users ordered by id (UUIDv7: creation order), ``limit`` after the cursor ``after_id``."""
    query = select(users).order_by(users.c.id).limit(limit)
    if email_contains:
        query = query.where(users.c.email_key.contains(email_contains.casefold(), autoescape=True))
    if after_id:
        query = query.where(users.c.id > after_id)
    return await _with_roles(db, (await db.execute(query)).mappings().all())


async def users_by_ids(db: AsyncSession, ids: Sequence[str]) -> list[UserRecord]:
    """The users among ``ids`` that exist (any order; unknown ids are left out)."""
    if not ids:
        return []
    query = select(users).where(users.c.id.in_(sorted(set(ids))))
    return await _with_roles(db, (await db.execute(query)).mappings().all())


async def _with_roles(db: AsyncSession, rows: Sequence[RowMapping]) -> list[UserRecord]:
    roles: dict[str, set[str]] = {row["id"]: set() for row in rows}
    if roles:
        grants = await db.execute(
            select(user_roles.c.user_id, user_roles.c.role).where(user_roles.c.user_id.in_(roles))
        )
        for user_id, role in grants.all():
            roles[user_id].add(role)
    return [_record(row, frozenset(roles[row["id"]])) for row in rows]
