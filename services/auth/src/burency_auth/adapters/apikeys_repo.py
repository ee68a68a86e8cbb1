"""The ``api_keys`` table and its queries (SQLAlchemy Core on the caller's session).

The table lives on the service's :data:`~burency_auth.adapters.orm.metadata` so the
migration environment and the database tests see it. The HMAC secret is stored
AES-GCM sealed (``sealed_secret``), never in clear and never as a one-way hash: the
service must recover it to check request signatures. Rows are never deleted;
revocation sets ``revoked_at`` so the audit trail keeps the key id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters.orm import metadata, users
from burency_auth.adapters.users_repo import aware

__all__ = [
    "ApiKeyRecord",
    "api_keys",
    "count_active",
    "get_key",
    "insert_key",
    "list_active",
    "lock_user",
    "revoke_key",
    "touch_last_used",
]

_TS = DateTime(timezone=True)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(64), nullable=False),
    Column("scopes", String(64), nullable=False),
    Column("ip_allow_list", Text, nullable=False),
    Column("sealed_secret", LargeBinary, nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("last_used_at", _TS, nullable=True),
    Column("revoked_at", _TS, nullable=True),
)
Index("ix_api_keys_user", api_keys.c.user_id)


@dataclass(frozen=True)
class ApiKeyRecord:
    """One stored key. ``sealed_secret`` stays sealed until verification needs it."""

    id: str
    user_id: str
    label: str
    scopes: tuple[str, ...]
    ip_allow_list: tuple[str, ...]
    sealed_secret: bytes
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    def __repr__(self) -> str:  # never print the sealed secret, even sealed
        return f"ApiKeyRecord(id={self.id!r}, user_id={self.user_id!r}, scopes={self.scopes!r})"


def _record(row: RowMapping) -> ApiKeyRecord:
    created = aware(row["created_at"])
    assert created is not None
    return ApiKeyRecord(
        id=row["id"],
        user_id=row["user_id"],
        label=row["label"],
        scopes=tuple(s for s in row["scopes"].split(",") if s),
        ip_allow_list=tuple(json.loads(row["ip_allow_list"])),
        sealed_secret=bytes(row["sealed_secret"]),
        created_at=created,
        last_used_at=aware(row["last_used_at"]),
        revoked_at=aware(row["revoked_at"]),
    )


async def lock_user(db: AsyncSession, user_id: str) -> bool:
    """Lock the owner's row (PostgreSQL ``FOR UPDATE``) so concurrent creations serialise.

    Without it two requests could both count 29 active keys and both insert. SQLite
    ignores ``FOR UPDATE`` but allows one writer at a time anyway. False if no such user.
    """
    query = select(users.c.id).where(users.c.id == user_id).with_for_update()
    return (await db.execute(query)).first() is not None


async def count_active(db: AsyncSession, user_id: str) -> int:
    query = select(func.count()).where(
        api_keys.c.user_id == user_id, api_keys.c.revoked_at.is_(None)
    )
    return int(await db.scalar(query) or 0)


async def insert_key(
    db: AsyncSession,
    *,
    key_id: str,
    user_id: str,
    label: str,
    scopes: tuple[str, ...],
    ip_allow_list: tuple[str, ...],
    sealed_secret: bytes,
    now: datetime,
) -> None:
    await db.execute(
        insert(api_keys).values(
            id=key_id,
            user_id=user_id,
            label=label,
            scopes=",".join(scopes),
            ip_allow_list=json.dumps(list(ip_allow_list)),
            sealed_secret=sealed_secret,
            created_at=now,
        )
    )


async def get_key(db: AsyncSession, key_id: str) -> ApiKeyRecord | None:
    row = (await db.execute(select(api_keys).where(api_keys.c.id == key_id))).mappings().first()
    return None if row is None else _record(row)


async def list_active(db: AsyncSession, user_id: str) -> list[ApiKeyRecord]:
    query = (
        select(api_keys)
        .where(api_keys.c.user_id == user_id, api_keys.c.revoked_at.is_(None))
        .order_by(api_keys.c.created_at, api_keys.c.id)
    )
    return [_record(row) for row in (await db.execute(query)).mappings().all()]


async def revoke_key(db: AsyncSession, key_id: str, *, now: datetime) -> bool:
    """Revoke once; False when it was already revoked (the first time is kept)."""
    result = await db.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def touch_last_used(
    db: AsyncSession, key_id: str, *, now: datetime, granularity: timedelta
) -> None:
    """Record use, but write at most once per ``granularity`` (conditional, race-free)."""
    await db.execute(
        update(api_keys)
        .where(
            api_keys.c.id == key_id,
            or_(api_keys.c.last_used_at.is_(None), api_keys.c.last_used_at <= now - granularity),
        )
        .values(last_used_at=now)
    )
