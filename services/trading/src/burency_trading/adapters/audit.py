"""The staff audit log in SQL: one row per staff action (who, what, which object, details),
readable by admins through ``GET /v1/admin/audit``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.ids import new_id
from burency_common.logging import get_logger
from burency_common.timeutil import Clock
from burency_trading.adapters.orm_records import trading_audit

__all__ = ["AuditEntry", "SqlAudit"]

AuditEntry = dict[str, Any]
_log = get_logger("burency.trading")


class SqlAudit:
    """Implements the service's ``AuditLog`` port; ``recent`` pages newest first."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def record(
        self, *, actor: str, action: str, target: str, details: Mapping[str, object]
    ) -> None:
        async with self._engine.begin() as db:
            await db.execute(
                insert(trading_audit).values(
                    id=new_id(), actor_id=actor, action=action, target=target,
                    details=dict(details), created_at=self._clock.now(),
                )
            )  # fmt: skip
        _log.info("trading.audit", actor=actor, action=action, target=target, **details)

    async def recent(
        self, *, limit: int, before_id: str | None = None, target: str | None = None
    ) -> list[AuditEntry]:
        a = trading_audit.c
        query = select(trading_audit).order_by(a.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(a.id < before_id)
        if target is not None:
            query = query.where(a.target == target)
        async with self._engine.connect() as db:
            rows = (await db.execute(query)).mappings().all()
        return [dict(row) for row in rows]
