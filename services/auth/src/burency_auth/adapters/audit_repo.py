"""The audit log: operators' and users' security-relevant actions, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters.orm import audit_log
from burency_auth.adapters.users_repo import aware
from burency_auth.domain.audit import AuditRecord
from burency_common.ids import new_id

__all__ = ["AuditRecord", "add_audit", "list_audit"]


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
