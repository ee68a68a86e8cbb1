"""The staff audit trail: who did what to whom, with field *names*, never values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.ids import new_id
from burency_users.adapters.orm import audit_log
from burency_users.domain.records import AuditRecord

__all__ = ["AuditRecord", "find_audit", "record_audit"]


async def record_audit(
    db: AsyncSession,
    *,
    actor_id: str,
    action: str,
    target: str | None,
    details: dict[str, Any],
    request_id: str | None,
    at: datetime,
) -> None:
    await db.execute(
        insert(audit_log).values(
            id=new_id(),
            actor_id=actor_id,
            action=action,
            target=target,
            details=details,
            request_id=request_id,
            at=at,
        )
    )


async def find_audit(
    db: AsyncSession,
    *,
    target: str | None,
    actor_id: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[AuditRecord], str | None]:
    """Newest first; ``cursor`` is the id of the last entry of the previous page."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit + 1)
    if target is not None:
        query = query.where(audit_log.c.target == target)
    if actor_id is not None:
        query = query.where(audit_log.c.actor_id == actor_id)
    if cursor:
        query = query.where(audit_log.c.id < cursor)
    found = [AuditRecord(**row) for row in (await db.execute(query)).mappings()]
    next_cursor = found[limit - 1].id if len(found) > limit else None
    return found[:limit], next_cursor
