"""Test harness of the banking service: the real service behind httpx's ASGI transport,
an in-memory bus delivering events and recording what the outbox relay publishes, and
a bare migrated ledger database for ledger-level tests."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_banking.adapters.db import create_banking_engine
from burency_banking.adapters.orm import ledger_accounts
from burency_banking.component import MIGRATIONS, BankingComponent, build_component
from burency_banking.ledger import Ledger, SystemAccount, TransferSpec
from burency_banking.settings import DEFAULT_ASSETS, BankingSettings
from burency_common.bus import EventBus, InMemoryBus
from burency_common.bus.port import DeadLetter
from burency_common.db import migrate
from burency_common.events import (
    SEND_NOTIFICATION,
    USER_REGISTERED,
    EventEnvelope,
    UserRegistered,
    default_registry,
)
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.ids import new_id
from burency_common.money import AssetRegistry
from burency_common.timeutil import utc_now

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
class Harness:
    component: BankingComponent
    client: httpx.AsyncClient
    bus: EventBus
    events: dict[str, EventEnvelope] = field(default_factory=dict)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    @property
    def ctx(self) -> Any:
        return self.component.context

    def headers(self, user_id: str, *roles: str, email_verified: bool = True) -> dict[str, str]:
        """A signed identity; a verified address unless a test says otherwise."""
        identity = Identity(
            user_id=user_id, roles=frozenset(roles or ("user",)), email_verified=email_verified
        )
        secret = self.component.app.state.identity_secret
        return {IDENTITY_HEADER: sign_identity(identity, secret=secret, now=utc_now())}

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

    async def published(self, topic: str, **payload: Any) -> list[EventEnvelope]:
        assert self.component.relay is not None
        await self.component.relay.drain()
        return [
            e
            for e in self.events.values()
            if e.type == topic and all(e.payload.get(k) == v for k, v in payload.items())
        ]

    async def call(
        self, method: str, path: str, user_id: str, *roles: str, **kwargs: Any
    ) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}), **self.headers(user_id, *roles)}
        return await self.client.request(method, path, headers=headers, **kwargs)


class running_harness:  # noqa: N801 - used like a function
    """``async with running_harness(settings) as h``: start, serve, stop.

    Without ``bus`` an in-memory bus records what the relay publishes (``h.events``);
    with one (a ``KafkaBus``), the caller subscribes its own handlers before entering.
    """

    def __init__(
        self,
        settings: BankingSettings,
        bus: EventBus | None = None,
        group: str = "banking",
        record: list[str] | None = None,
    ) -> None:
        self.settings = settings
        self.given_bus = bus
        self.group = group
        self.record_topics = RECORDED_TOPICS if record is None else record

    async def __aenter__(self) -> Harness:
        self.component = build_component(self.settings, identity_secret=secrets.token_bytes(32))
        events: dict[str, EventEnvelope] = {}

        async def record(envelope: EventEnvelope) -> None:
            events[envelope.id] = envelope

        dead: list[DeadLetter] = []

        async def record_dead(letter: DeadLetter) -> None:
            dead.append(letter)

        self.bus = self.given_bus or InMemoryBus()
        if self.given_bus is None:
            for topic in self.record_topics:
                self.bus.subscribe(topic, group="tests", handler=record)
            for topic in self.component.handlers:
                self.bus.subscribe_dead_letters(topic, group="tests", handler=record_dead)
        self.component.subscribe(self.bus, group=self.group)
        await self.bus.start()
        await self.component.start(self.bus)
        self.lifespan = LifespanManager(self.component.app)
        await self.lifespan.__aenter__()
        transport = httpx.ASGITransport(app=self.component.app)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://banking")
        self.harness = Harness(self.component, self.client, self.bus, events, dead)
        return self.harness

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is None:  # a handler that failed would hide behind its dead letter
            assert self.harness.dead_letters == [], self.harness.dead_letters
        await self.client.aclose()
        await self.lifespan.__aexit__(None, None, None)
        await self.component.stop()
        await self.bus.stop()
