"""Reading back what the projection wrote (tables and outbox) in the tests."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.events import EventEnvelope, default_registry
from burency_trading.adapters.orm import outbox


async def rows(engine: AsyncEngine, table: Table, *order_by: str) -> list[dict[str, Any]]:
    stmt = select(table).order_by(*(table.c[name] for name in order_by))
    async with engine.connect() as db:
        return [dict(r) for r in (await db.execute(stmt)).mappings()]


async def count(engine: AsyncEngine, table: Table) -> int:
    async with engine.connect() as db:
        return int((await db.execute(select(func.count()).select_from(table))).scalar_one())


async def messages(engine: AsyncEngine, topic: str | None = None) -> list[EventEnvelope]:
    """The outbox's envelopes in write order (each checked against its row)."""
    stmt = select(outbox).order_by(outbox.c.seq)
    if topic is not None:
        stmt = stmt.where(outbox.c.topic == topic)
    found = []
    async with engine.connect() as db:
        for row in (await db.execute(stmt)).mappings():
            envelope = EventEnvelope.from_bytes(row["body"])
            assert (envelope.id, envelope.type, envelope.key) == (
                row["event_id"],
                row["topic"],
                row["event_key"],
            )
            found.append(envelope)
    return found


def payload(envelope: EventEnvelope) -> BaseModel:
    """The payload validated by the shared registry (as a consumer reads it)."""
    return default_registry().parse_payload(envelope)
