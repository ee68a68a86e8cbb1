"""What every banking use case needs: settings, a unit of work, the ledger, clock, events.

Use cases are async functions taking a :class:`BankingContext`. They open one
transaction (``async with ctx.transaction() as db``), move money through
``ctx.ledger``, write their own rows and the events announcing them
(``ctx.outbox.emit`` / ``ctx.outbox.notify``, the shared outbox writer) in it, and the
relay is woken after the commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from burency_banking.adapters.orm import idempotency_keys
from burency_banking.adapters.orm import outbox as outbox_table
from burency_banking.service.ledger import Ledger
from burency_banking.service.reconciliation import LEDGER_CHECKS, ReconciliationCheck
from burency_banking.settings import BankingSettings
from burency_common.events import EventRegistry
from burency_common.idempotency import IdempotencyStore
from burency_common.money import AssetRegistry
from burency_common.outbox import Outbox
from burency_common.timeutil import Clock
from burency_common.unit_of_work import connection_transaction

__all__ = ["PRODUCER", "BankingContext"]

PRODUCER = "banking"


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
    outbox: Outbox = field(init=False)
    """Events and notification commands, written in the caller's transaction; stable ids
    come from :func:`burency_common.outbox.stable_event_id`."""
    idempotency: IdempotencyStore = field(init=False)
    """Claimed ``Idempotency-Key`` s and their stored answers (the shared store)."""

    def __post_init__(self) -> None:
        self.outbox = Outbox(producer=PRODUCER, registry=self.registry, table=outbox_table)
        self.idempotency = IdempotencyStore(idempotency_keys)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One unit of work: commits on success, rolls back on any exception."""
        async with connection_transaction(self.engine, self.after_commit) as db:
            yield db
