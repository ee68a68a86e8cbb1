"""Queries over one-time tokens, recovery codes, login attempts and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters.orm import audit_log, login_attempts, one_time_tokens, recovery_codes
from burency_auth.adapters.users_repo import aware
from burency_auth.domain.throttling import FailureCounts
from burency_common.ids import new_id

__all__ = [
    "AuditRecord",
    "OneTimeRecord",
    "add_audit",
    "claim_one_time",
    "claim_recovery_code",
    "expire_one_time",
    "failure_counts",
    "get_one_time",
    "insert_one_time",
    "list_audit",
    "record_attempt",
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


async def record_attempt(
    db: AsyncSession, *, account_key: str, ip: str, now: datetime, succeeded: bool
) -> None:
    await db.execute(
        insert(login_attempts).values(
            id=new_id(), account_key=account_key, ip=ip, at=now, succeeded=succeeded
        )
    )


async def failure_counts(
    db: AsyncSession, *, account_key: str, ip: str, since: datetime, known_since: datetime
) -> FailureCounts:
    t = login_attempts
    failed = (t.c.account_key == account_key, t.c.succeeded.is_(False), t.c.at >= since)
    per_ip = (
        await db.execute(select(func.count(), func.min(t.c.at)).where(*failed, t.c.ip == ip))
    ).one()
    total = (await db.execute(select(func.count(), func.min(t.c.at)).where(*failed))).one()
    known = await db.scalar(
        select(func.count()).where(
            t.c.account_key == account_key,
            t.c.ip == ip,
            t.c.succeeded.is_(True),
            t.c.at >= known_since,
        )
    )
    return FailureCounts(
        from_ip=int(per_ip[0]),
        oldest_from_ip=aware(per_ip[1]),
        total=int(total[0]),
        oldest_total=aware(total[1]),
        known_ip=bool(known),
    )


@dataclass(frozen=True)
class AuditRecord:
    id: str
    actor_id: str | None
    action: str
    target: str | None
    details: dict[str, Any]
    ip: str | None
    request_id: str | None
    at: datetime


async def add_audit(
    db: AsyncSession,
    *,
    actor_id: str | None,
    action: str,
    target: str | None,
    details: dict[str, Any],
    ip: str | None,
    request_id: str | None,
    now: datetime,
) -> None:
    await db.execute(
        insert(audit_log).values(
            id=new_id(),
            actor_id=actor_id,
            action=action,
            target=target,
            details=details,
            ip=ip,
            request_id=request_id,
            at=now,
        )
    )


async def list_audit(db: AsyncSession, *, before_id: str | None, limit: int) -> list[AuditRecord]:
    """Newest first; ``before_id`` is the cursor (ids are time-ordered UUIDv7)."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before_id:
        query = query.where(audit_log.c.id < before_id)
    rows = (await db.execute(query)).mappings().all()
    result = []
    for row in rows:
        at = aware(row["at"])
        assert at is not None
        result.append(
            AuditRecord(
                row["id"],
                row["actor_id"],
                row["action"],
                row["target"],
                dict(row["details"] or {}),
                row["ip"],
                row["request_id"],
                at,
            )
        )
    return result
