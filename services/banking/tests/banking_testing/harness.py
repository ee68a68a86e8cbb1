"""Test harness of the banking service: the real service behind httpx's ASGI transport,
an in-memory bus delivering events and recording what the outbox relay publishes, and
a bare migrated ledger database for ledger-level tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_banking.adapters.db import create_banking_engine
from burency_banking.adapters.orm import ledger_accounts
from burency_banking.component import MIGRATIONS, BankingComponent, build_component
from burency_banking.ledger import Ledger, SystemAccount, TransferSpec
from burency_banking.settings import DEFAULT_ASSETS, BankingSettings
from burency_common.bus import EventBus
from burency_common.bus.port import DeadLetter
from burency_common.db import migrate
from burency_common.events import (
    SEND_NOTIFICATION,
    USER_REGISTERED,
    EventEnvelope,
    UserRegistered,
    default_registry,
)
from burency_common.ids import new_id
from burency_common.money import AssetRegistry
from burency_testing.service_harness import HarnessParts, RunningService, ServiceHarness

RECORDED_TOPICS = [SEND_NOTIFICATION]


def registered_event(user_id: str, email: str) -> EventEnvelope:
    payload = UserRegistered(user_id=user_id, email=email, created_at=datetime.now(UTC))
    return default_registry().build(payload, event_type=USER_REGISTERED, producer="auth")


def default_assets() -> AssetRegistry:
    return AssetRegistry.from_config(DEFAULT_ASSETS)


@dataclass
class LedgerDb:
    """A migrated banking database (``engine.begin()`` is a unit of work) and a Ledger on it."""

    engine: AsyncEngine
    ledger: Ledger

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def fund(self, user_id: str, asset: str, amount: int) -> str:
        """Deposit ``amount`` to the user's account from the asset's omnibus/custody."""
        async with self.engine.begin() as db:
            account = await self.ledger.user_account(db, user_id, asset)
            source = await self.ledger.system_account(db, SystemAccount.BANK_OMNIBUS, asset)
            await self.ledger.transfer(
                db, TransferSpec(new_id(), asset, source, account, amount, "deposit.fiat")
            )
        return account

    async def sum_posted(self, asset: str) -> int:
        async with self.engine.connect() as conn:
            total = await conn.scalar(
                select(func.coalesce(func.sum(ledger_accounts.c.posted), 0)).where(
                    ledger_accounts.c.asset == asset
                )
            )
        return int(total or 0)


@asynccontextmanager
async def ledger_database(url: str) -> AsyncIterator[LedgerDb]:
    engine = create_banking_engine(url)
    try:
        await migrate(engine, MIGRATIONS)
        yield LedgerDb(engine, Ledger(default_assets()))
    finally:
        await engine.dispose()


@dataclass
class Harness(ServiceHarness[BankingComponent]):
    dead_letters: list[DeadLetter] = field(default_factory=list)

    @property
    def ctx(self) -> Any:
        return self.component.context

    async def register(self, user_id: str | None = None, email: str | None = None) -> str:
        """Publish ``user.registered`` as auth would; returns the new user's id."""
        user_id = user_id or new_id()
        await self.bus.publish(registered_event(user_id, email or f"{user_id[-12:]}@example.com"))
        return user_id

    async def deposit(self, user_id: str, asset: str, amount: int) -> None:
        """Credit ``amount`` minor units from the omnibus account (as a deposit flow would)."""
        ledger = self.component.context.ledger
        async with self.component.context.transaction() as db:
            account = await ledger.user_account(db, user_id, asset)
            source = await ledger.system_account(db, SystemAccount.BANK_OMNIBUS, asset)
            spec = TransferSpec(new_id(), asset, source, account, amount, "deposit.fiat")
            await ledger.transfer(db, spec)


class running_harness(RunningService[BankingComponent, Harness]):  # noqa: N801 - used like a function
    """``async with running_harness(settings) as h``: start, serve, stop (see
    :class:`RunningService`); dead letters on the component's topics are recorded and
    must be none when the test body passed."""

    base_url = "http://banking"

    def __init__(
        self,
        settings: BankingSettings,
        bus: EventBus | None = None,
        group: str = "banking",
        record: list[str] | None = None,
    ) -> None:
        super().__init__(bus, group)
        self.settings = settings
        self.recorded_topics = tuple(RECORDED_TOPICS if record is None else record)
        self.dead: list[DeadLetter] = []

    def build(self, identity_secret: bytes) -> BankingComponent:
        return build_component(self.settings, identity_secret=identity_secret)

    def before_start(self, component: BankingComponent, bus: EventBus, given: bool) -> None:
        async def record_dead(letter: DeadLetter) -> None:
            self.dead.append(letter)

        if not given:
            for topic in component.handlers:
                bus.subscribe_dead_letters(topic, group="tests", handler=record_dead)

    def make_harness(self, parts: HarnessParts[BankingComponent]) -> Harness:
        self.harness_ = Harness(**parts, dead_letters=self.dead)
        return self.harness_

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is None:  # a handler that failed would hide behind its dead letter
            assert self.harness_.dead_letters == [], self.harness_.dead_letters
        await super().__aexit__(*exc)
