"""Login attempts, and the failure counts that throttling decides on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters.orm import login_attempts
from burency_auth.adapters.users_repo import aware
from burency_auth.domain.throttling import FailureCounts
from burency_common.ids import new_id

__all__ = ["failure_counts", "record_attempt"]


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
