"""Single-use secrets stored as hashes: e-mail tokens (verification, reset) and recovery codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters.orm import one_time_tokens, recovery_codes
from burency_auth.adapters.users_repo import aware

__all__ = [
    "OneTimeRecord",
    "claim_one_time",
    "claim_recovery_code",
    "expire_one_time",
    "get_one_time",
    "insert_one_time",
    "replace_recovery_codes",
]


@dataclass(frozen=True)
class OneTimeRecord:
    user_id: str
    purpose: str
    expires_at: datetime
    used_at: datetime | None


async def insert_one_time(
    db: AsyncSession,
    *,
    token_hash: str,
    user_id: str,
    purpose: str,
    now: datetime,
    ttl: timedelta,
) -> None:
    await db.execute(
        insert(one_time_tokens).values(
            token_hash=token_hash,
            user_id=user_id,
            purpose=purpose,
            created_at=now,
            expires_at=now + ttl,
        )
    )


async def get_one_time(db: AsyncSession, token_hash: str, purpose: str) -> OneTimeRecord | None:
    query = select(one_time_tokens).where(
        one_time_tokens.c.token_hash == token_hash, one_time_tokens.c.purpose == purpose
    )
    row = (await db.execute(query)).mappings().first()
    if row is None:
        return None
    expires = aware(row["expires_at"])
    assert expires is not None
    return OneTimeRecord(row["user_id"], row["purpose"], expires, aware(row["used_at"]))


async def claim_one_time(db: AsyncSession, token_hash: str, *, now: datetime) -> bool:
    result = await db.execute(
        update(one_time_tokens)
        .where(one_time_tokens.c.token_hash == token_hash, one_time_tokens.c.used_at.is_(None))
        .values(used_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def expire_one_time(db: AsyncSession, user_id: str, purpose: str, *, now: datetime) -> None:
    """Use up every outstanding token of ``purpose`` (e.g. after a password reset)."""
    await db.execute(
        update(one_time_tokens)
        .where(
            one_time_tokens.c.user_id == user_id,
            one_time_tokens.c.purpose == purpose,
            one_time_tokens.c.used_at.is_(None),
        )
        .values(used_at=now)
    )


async def replace_recovery_codes(
    db: AsyncSession, user_id: str, hashes: list[str], *, now: datetime
) -> None:
    await db.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    for code_hash in hashes:
        await db.execute(
            insert(recovery_codes).values(code_hash=code_hash, user_id=user_id, created_at=now)
        )


async def claim_recovery_code(
    db: AsyncSession, user_id: str, code_hash: str, *, now: datetime
) -> bool:
    result = await db.execute(
        update(recovery_codes)
        .where(
            recovery_codes.c.code_hash == code_hash,
            recovery_codes.c.user_id == user_id,
            recovery_codes.c.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
