"""``build_component``: the banking service as the platform runs it (embedded or alone).

Building creates no connection and starts nothing; :meth:`BankingComponent.start`
migrates the database, starts the outbox relay and every background loop in
``loops``; :meth:`BankingComponent.stop` undoes that. :meth:`BankingComponent.subscribe`
registers every handler in ``handlers`` (topic → handler).

To add a consumer or a loop, add it in :func:`_handlers` / :func:`_loops` (one line each).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_banking.adapters.db import create_banking_engine
from burency_banking.adapters.orm import outbox
from burency_banking.app import create_app
from burency_banking.flows.context import Flows
from burency_banking.flows.second_factor import SecondFactorVerifier
from burency_banking.flows.wiring import build_flows
from burency_banking.service import accounts, idempotency, saga
from burency_banking.service.context import BankingContext
from burency_banking.service.ledger import Ledger
from burency_banking.settings import BankingSettings
from burency_common.bus.port import EventBus
from burency_common.db import migrate
from burency_common.events import USER_REGISTERED, EventEnvelope, default_registry
from burency_common.events.wallet import (
    WALLET_TRANSFER_COMPLETED,
    WALLET_TRANSFER_FAILED,
    WALLET_TRANSFER_REQUESTED,
)
from burency_common.outbox import BackgroundLoop, OutboxRelay, OutboxRelayRunner
from burency_common.timeutil import Clock, SystemClock

__all__ = ["CONSUMER_GROUP", "MIGRATIONS", "BankingComponent", "build_component"]

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
CONSUMER_GROUP = "banking"

Handler = Callable[[EventEnvelope], Awaitable[None]]
LoopRun = Callable[[asyncio.Event], Awaitable[None]]


def _handlers(ctx: BankingContext) -> dict[str, Handler]:
    """Topic → handler of every event the service consumes."""

    async def user_registered(envelope: EventEnvelope) -> None:
        await accounts.on_user_registered(ctx, envelope)

    async def wallet_transfer(envelope: EventEnvelope) -> None:
        await saga.on_wallet_transfer(ctx, envelope)

    return {
        USER_REGISTERED: user_registered,
        WALLET_TRANSFER_REQUESTED: wallet_transfer,
        WALLET_TRANSFER_COMPLETED: wallet_transfer,
        WALLET_TRANSFER_FAILED: wallet_transfer,
    }


def _loops(ctx: BankingContext) -> dict[str, LoopRun]:
    """Name → ``run(stop_event)`` of every background loop besides the outbox relay."""
    return {
        "idempotency-purge": functools.partial(idempotency.run_purge_loop, ctx),
        "trading-transfer-resend": functools.partial(saga.run_resend_loop, ctx),
    }


@dataclass
class BankingComponent:
    """The banking service, built but not started (a ``ServiceComponent``)."""

    settings: BankingSettings
    app: FastAPI
    context: BankingContext
    engine: AsyncEngine
    handlers: dict[str, Handler]
    loops: dict[str, LoopRun]
    name: str = "banking"
    relay_runner: OutboxRelayRunner | None = None
    _running: list[BackgroundLoop] = field(default_factory=list)
    flows: Flows | None = None  # deposits, withdrawals, chain (burency_banking.flows)

    @property
    def relay(self) -> OutboxRelay | None:
        """The running relay (tests drain it)."""
        return self.relay_runner.relay if self.relay_runner is not None else None

    def subscribe(self, bus: EventBus, *, group: str = CONSUMER_GROUP) -> None:
        """Consume every topic in ``handlers`` (``group`` differs only in tests)."""
        for topic, handler in self.handlers.items():
            bus.subscribe(topic, group=group, handler=handler)

    async def start(self, bus: EventBus) -> None:
        await migrate(self.engine, MIGRATIONS)
        self.relay_runner = OutboxRelayRunner(
            engine=self.engine, outbox=outbox, after_commit=self.context.after_commit
        )
        self.relay_runner.start(bus, name="banking-outbox-relay")
        for name, run in self.loops.items():
            loop = BackgroundLoop()
            loop.start(run, name=f"banking-{name}")
            self._running.append(loop)

    async def stop(self) -> None:
        while self._running:
            await self._running.pop().stop()
        if self.relay_runner is not None:
            await self.relay_runner.stop()
        if self.flows is not None:
            await self.flows.aclose()
        await self.engine.dispose()


def build_component(
    settings: BankingSettings,
    *,
    identity_secret: bytes | None = None,
    clock: Clock | None = None,
    auth_client: httpx.AsyncClient | None = None,
    second_factor: SecondFactorVerifier | None = None,
    trading_client: httpx.AsyncClient | None = None,
) -> BankingComponent:
    """Build the banking service (nothing connects until ``start``).

    ``auth_client`` reaches the auth service for 2FA checks (embedded: an in-process
    ASGI client, caller-owned; else ``BURENCY_AUTH_URL``); ``second_factor`` replaces
    that verifier altogether.
    """
    if identity_secret is None:  # embedded: the platform normally hands its own
        identity_secret = settings.identity_secret_bytes()
    engine = create_banking_engine(settings.database_url)
    clock = clock or SystemClock()
    assets = settings.asset_registry()
    context = BankingContext(
        settings=settings,
        engine=engine,
        ledger=Ledger(assets, clock),
        assets=assets,
        clock=clock,
        registry=default_registry(),
    )
    flows = build_flows(
        context,
        identity_secret=identity_secret,
        auth_client=auth_client,
        verifier=second_factor,
        trading_client=trading_client,
    )
    app = create_app(context, engine=engine, identity_secret=identity_secret)
    app.state.flows = flows
    return BankingComponent(
        settings=settings,
        app=app,
        context=context,
        engine=engine,
        handlers={**_handlers(context), **flows.handlers()},
        loops={**_loops(context), **flows.loops()},
        flows=flows,
    )
