"""Writing events to the outbox and claiming them in the inbox, inside the caller's transaction.

The caller's unit of work is an ORM ``AsyncSession`` or a Core ``AsyncConnection``
(services that use only Core, like banking, skip the Session's bookkeeping).
"""

from __future__ import annotations

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from burency_common.db import insert_ignore
from burency_common.events import EventEnvelope
from burency_common.logging import current_request_id
from burency_common.timeutil import utc_now

__all__ = ["OUTBOX_WRITTEN", "UnitOfWork", "add_to_outbox", "claim_in_inbox"]

UnitOfWork = AsyncSession | AsyncConnection
OUTBOX_WRITTEN = "burency_outbox_written"
"""Key in the pooled connection's ``info``: set when a transaction wrote outbox rows, so the
relay is woken when that connection goes back to the pool (after its commit)."""


async def add_to_outbox(
    session: UnitOfWork, outbox: Table, envelope: EventEnvelope, *, topic: str | None = None
) -> EventEnvelope:
    """Queue ``envelope`` for publication; it is published only if the transaction commits.

    The current request id is stamped into ``trace`` when the producer did not set one.
    """
    if envelope.trace.request_id is None and (request_id := current_request_id()):
        envelope = envelope.model_copy(
            update={"trace": envelope.trace.model_copy(update={"request_id": request_id})}
        )
    connection = session if isinstance(session, AsyncConnection) else await session.connection()
    connection.info[OUTBOX_WRITTEN] = True
    await session.execute(
        insert(outbox).values(
            event_id=envelope.id,
            topic=topic or envelope.type,
            event_key=envelope.key,
            body=envelope.to_bytes(),
            created_at=utc_now(),
        )
    )
    return envelope


async def claim_in_inbox(
    session: UnitOfWork, inbox: Table, envelope: EventEnvelope, *, consumer: str
) -> bool:
    """Record that ``consumer`` handles ``envelope``; False when it already did.

    Call it first in the handler's transaction and skip the effect on False: the row
    and the effect commit together, so a redelivered event has no second effect. On
    PostgreSQL a concurrent duplicate waits for the first transaction and then sees
    the row.
    """
    values = {
        "consumer": consumer,
        "event_id": envelope.id,
        "event_type": envelope.type,
        "processed_at": utc_now(),
    }
    return await insert_ignore(session, inbox, values)
