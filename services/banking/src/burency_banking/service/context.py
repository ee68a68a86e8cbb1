"""What every banking use case needs: settings, a unit of work, the ledger, clock, events.

Use cases are async functions taking a :class:`BankingContext`. They open one
transaction (``async with ctx.transaction() as db``), move money through
``ctx.ledger``, write their own rows and the events announcing them (``ctx.emit`` →
outbox) in it, and the relay is woken after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from burency_banking.adapters.orm import outbox
from burency_banking.service.ledger import Ledger
from burency_banking.service.reconciliation import LEDGER_CHECKS, ReconciliationCheck
from burency_banking.settings import BankingSettings
from burency_common.events import SEND_NOTIFICATION, EventRegistry, SendNotification
from burency_common.events.notification_types import check_notification
from burency_common.money import AssetRegistry
from burency_common.outbox import add_to_outbox
from burency_common.timeutil import Clock
from burency_common.unit_of_work import connection_transaction

__all__ = ["PRODUCER", "BankingContext", "stable_uuid"]

PRODUCER = "banking"
_NAMESPACE = uuid.UUID("5b1f3c0e-7a4d-4c1e-9f0a-62616e6b696e")


def stable_uuid(*parts: str) -> str:
    """A UUID derived from ``parts`` (36 chars): for event and notification ids that must
    be the same when a handler runs twice, so the receiver's inbox drops the duplicate."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


@dataclass
class BankingContext:
    settings: BankingSettings
    engine: AsyncEngine
    ledger: Ledger
    assets: AssetRegistry
    clock: Clock
    registry: EventRegistry
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    reconciliation_checks: list[ReconciliationCheck] = field(
        default_factory=lambda: list(LEDGER_CHECKS)
    )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One unit of work: commits on success, rolls back on any exception."""
        async with connection_transaction(self.engine, self.after_commit) as db:
            yield db

    async def emit(
        self,
        db: AsyncConnection,
        payload: BaseModel,
        *,
        event_type: str,
        event_id: str | None = None,
    ) -> None:
        """Queue an event in the outbox.

        ``event_id`` gives a derived, stable id (see :func:`stable_uuid`) to an event a
        handler may emit again when the same request reaches it twice under different
        envelope ids: the second emission is skipped here, and had the first been
        published already, the receiver's inbox drops the copy.
        """
        if event_id is not None and await db.scalar(
            select(outbox.c.seq).where(outbox.c.event_id == event_id)
        ):
            return
        if event_id is None:
            envelope = self.registry.build(payload, event_type=event_type, producer=PRODUCER)
        else:
            envelope = self.registry.build(
                payload, event_type=event_type, producer=PRODUCER, id=event_id
            )
        await add_to_outbox(db, outbox, envelope)

    async def notify(
        self,
        db: AsyncConnection,
        *,
        user_id: str,
        event: str,
        data: dict[str, object],
        notification_id: str,
    ) -> None:
        """Queue a ``SEND_NOTIFICATION`` command for one user (``notification_id`` is the
        notification service's idempotency key: derive it from the business object;
        ``data`` must hold what the type's templates need, checked here)."""
        check_notification(event, data)
        command = SendNotification(
            notification_id=notification_id, event=event, user_ids=[user_id], data=data
        )
        await self.emit(
            db,
            command,
            event_type=SEND_NOTIFICATION,
            event_id=stable_uuid(SEND_NOTIFICATION, notification_id),
        )
