"""The flows' audit log: one row per staff decision, written in the decision's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.flows.tables import banking_audit
from burency_common.ids import new_id

__all__ = ["record_decision"]


async def record_decision(
    db: AsyncConnection,
    *,
    actor_id: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any],
    now: datetime,
) -> None:
    await db.execute(
        insert(banking_audit).values(
            id=new_id(),
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
            created_at=now,
        )
    )
