"""``build_component``: the trading service as the platform runs it (embedded or alone).

Building creates no connection, opens no file and starts nothing. :meth:`start`
migrates the projection's database, opens the journal (taking its one-writer lock) and
the snapshots, recovers the engine (latest snapshot + journal, catching the projection
up), adds the configured markets the engine does not know yet and sends the fee
schedule, then starts the outbox relay and the fee-tier refresh. :meth:`stop` stops
taking commands, drains the engine and the projection, writes a final snapshot and
closes everything.

The engine runs on its own thread (``EngineRunner``); the HTTP app reaches it through
an :class:`EngineHandle` that exists before the runner does (the app is built first).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from sqlalchemy import Table

from burency_common.bus.port import EventBus, RetryPolicy
from burency_common.component import ComponentBase, LoopFn
from burency_common.db import create_engine
from burency_common.direct import DirectRoutes
from burency_common.events import SEND_NOTIFICATION, EventEnvelope, default_registry
from burency_common.events.trading import TRADING_ORDER_UPDATED, TRADING_TRADE
from burency_common.events.wallet import (
    WALLET_TRANSFER_COMPLETED,
    WALLET_TRANSFER_FAILED,
    WALLET_TRANSFER_REQUESTED,
)
from burency_common.logging import get_logger
from burency_common.private_files import private_directory
from burency_common.realtime import RealtimePublisher
from burency_common.timeutil import Clock, SystemClock
from burency_common.web.app import ReadinessCheck
from burency_trading.adapters.audit import SqlAudit
from burency_trading.adapters.candles import SqlCandleStore
from burency_trading.adapters.funding_resend import FundingResender, record_funding_answer
from burency_trading.adapters.history import HistoryReader
from burency_trading.adapters.journal import FileJournal
from burency_trading.adapters.orm import outbox
from burency_trading.adapters.positions import read_positions
from burency_trading.adapters.projection import SqlProjection
from burency_trading.adapters.snapshots import FileSnapshotStore
from burency_trading.app import create_app
from burency_trading.domain._native import engine_build
from burency_trading.domain.engine import Engine
from burency_trading.domain.marketdata.prime import read_engine
from burency_trading.domain.model import AddMarket, Command, MarketSpec, OrderRejected
from burency_trading.entrypoints.direct import direct_routes
from burency_trading.marketdata_wiring import build_market_data, loops_of
from burency_trading.service import fees, saga
from burency_trading.service.context import TradingContext
from burency_trading.service.liquidity.admin import MarketDataServices
from burency_trading.service.marketdata.sink import MarketDataSink
from burency_trading.service.ports import CommandResult
from burency_trading.service.runner import EngineRunner
from burency_trading.service.runner_types import RunnerHealth, RunnerStopped
from burency_trading.settings import TradingSettings, market_specs

__all__ = ["CONSUMER_GROUP", "MIGRATIONS", "EngineHandle", "TradingComponent", "build_component"]

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
CONSUMER_GROUP = "trading"
SAGA_RETRY = RetryPolicy(max_attempts=40, initial_backoff=0.05, max_backoff=5.0)
"""A busy or restarting engine answers 503 for a while: a transfer must outlast that
(about three minutes of retries) rather than be dead-lettered with the user's money held."""
T = TypeVar("T")
_log = get_logger("burency.trading")
_PROJECTED_TOPICS = (TRADING_ORDER_UPDATED, TRADING_TRADE, SEND_NOTIFICATION)
"""The projection's outbox topics that may have no subscriber (never the saga's answers)."""


class EngineHandle:
    """The running engine as the app and the saga see it: forwards to the runner once
    :meth:`TradingComponent.start` made one; before that (or after stop) a command is
    ``RunnerStopped`` (503), never a hang."""

    def __init__(self) -> None:
        self.runner: EngineRunner[Engine] | None = None

    def _running(self) -> EngineRunner[Engine]:
        if self.runner is None:
            raise RunnerStopped()
        return self.runner

    async def submit(self, command: Command) -> CommandResult:
        return await self._running().submit(command)

    async def submit_many(self, commands: Sequence[Command]) -> list[CommandResult]:
        return await self._running().submit_many(commands)

    async def query(self, fn: Callable[[Any], T]) -> T:
        return await self._running().query(fn)

    async def submit_decided(
        self, decide: Callable[[Any], tuple[T, Command | None]]
    ) -> tuple[T, CommandResult | None]:
        return await self._running().submit_decided(decide)

    def health(self) -> RunnerHealth:
        if self.runner is None:
            return RunnerHealth(0, 0, 0, None, 0, 0)
        return self.runner.health()


@dataclass
class TradingComponent(ComponentBase[TradingSettings, TradingContext]):
    """The trading service, built but not started (a ``ServiceComponent``)."""

    name: str = "trading"
    handle: EngineHandle = field(default_factory=EngineHandle, kw_only=True)
    projection: SqlProjection | None = field(default=None, kw_only=True)
    marketdata: MarketDataSink | None = field(default=None, kw_only=True)
    market_sources: MarketDataServices | None = field(default=None, kw_only=True)
    resender: FundingResender | None = field(default=None, kw_only=True)
    after_commit: list[Callable[[], None]] = field(default_factory=list, kw_only=True)
    migrations: ClassVar[Path | None] = MIGRATIONS
    outbox_table: ClassVar[Table | None] = outbox

    @property
    def runner(self) -> EngineRunner[Engine] | None:
        return self.handle.runner

    def after_commit_hooks(self) -> list[Callable[[], None]]:
        return self.after_commit  # the projection's commits wake the relay

    def direct_routes(self) -> DirectRoutes:
        """The order routes for a gateway in this process (:mod:`burency_common.direct`)."""
        return direct_routes(self.context)

    def subscribe(self, bus: EventBus, *, group: str = CONSUMER_GROUP) -> None:
        registry = default_registry()
        scales = _scales(self.context)

        async def record_answer(transfer_id: str, outcome: str) -> None:
            await record_funding_answer(
                self.engine, transfer_id=transfer_id, outcome=outcome, now=self.context.clock.now()
            )

        async def wallet_transfer(envelope: EventEnvelope) -> None:
            await saga.on_wallet_transfer(
                self.handle, registry, scales, envelope, record_answer=record_answer
            )

        for topic in (WALLET_TRANSFER_REQUESTED, WALLET_TRANSFER_COMPLETED, WALLET_TRANSFER_FAILED):
            bus.subscribe(topic, group=group, handler=wallet_transfer, retry=SAGA_RETRY)

    async def start(self, bus: EventBus) -> None:
        """As every component; first, the projection leaves out the events nobody can
        receive (an in-process bus knows its every subscriber once started: embedded
        mode writes no ``trading.order.updated``/``trading.trade`` rows to relay into a
        void; a Kafka bus cannot know, so distributed mode publishes them all)."""
        assert self.projection is not None
        unheard = [topic for topic in _PROJECTED_TOPICS if not bus.may_reach_anyone(topic)]
        if unheard:
            self.projection.skip_unheard(unheard)
            _log.info("trading.outbox_topics_without_subscribers", topics=unheard)
        await super().start(bus)

    async def prepare(self) -> None:
        """After migrations: recover the engine, then make it know the configured markets."""
        settings = self.settings
        journal_dir = private_directory(Path(settings.journal_dir))  # orders are private
        assert self.projection is not None
        runner: EngineRunner[Engine] = EngineRunner(
            engine_factory=Engine,
            engine_restore=Engine.restore,
            journal=await asyncio.to_thread(FileJournal, journal_dir / "journal"),
            snapshots=FileSnapshotStore(journal_dir / "snapshots"),
            sinks=[self.projection],
            queue_size=settings.queue_size,
            batch_max=settings.batch_max,
            snapshot_every=settings.snapshot_every,
        )
        build = engine_build()
        log_build = _log.info if build["build"] == "compiled" else _log.warning
        log_build("trading.engine_build", build=build["build"], reason=build["reason"])
        await runner.start()
        self.handle.runner = runner
        if self.marketdata is not None:
            await _start_marketdata(runner, self.marketdata, self.projection)
        await _ensure_markets(runner, market_specs(settings))
        await fees.apply_fee_schedule(self.context)

    def background_loops(self) -> Iterable[tuple[str, LoopFn]]:
        sources = loops_of(self.market_sources) if self.market_sources is not None else ()
        return [
            ("trading-fee-tiers", self._refresh_fee_tiers),
            ("trading-funding-resend", self._resend_to_funding),
            *sources,  # reference prices, the liquidity bot (#16)
        ]

    async def _resend_to_funding(self, stop: asyncio.Event) -> None:
        """Request again the trading → funding transfers banking has not answered."""
        period = self.settings.funding_transfer_resend_seconds
        assert self.resender is not None
        while not stop.is_set():
            try:
                count = await self.resender.resend_stale(
                    now=self.context.clock.now(), wait_seconds=period
                )
                if count:
                    _log.warning("trading.saga.resent_to_funding", count=count)
            except Exception:
                _log.exception("trading.saga.resend_failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=period)
            except TimeoutError:
                continue

    async def _refresh_fee_tiers(self, stop: asyncio.Event) -> None:
        """Recompute users' fee tiers from their 30-day volume, now and then."""
        period = self.settings.fee_tier_refresh_seconds
        while not stop.is_set():
            try:
                await fees.refresh_fee_tiers(self.context)
            except Exception:
                _log.exception("trading.fee_tier_refresh_failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=period)
            except TimeoutError:
                continue

    async def stop(self) -> None:
        loops, self._loops = self._loops, {}
        for loop in reversed(loops.values()):
            await loop.stop()
        if self.market_sources is not None:
            await self.market_sources.prices.close()  # the venues' HTTP sessions
        runner, self.handle.runner = self.handle.runner, None
        if runner is not None:
            await runner.stop()  # drains the engine and the projection, final snapshot
        if self.marketdata is not None:
            await self.marketdata.close()  # publishes and saves what is pending
        await super().stop()


async def _start_marketdata(
    runner: EngineRunner[Engine], sink: MarketDataSink, projection: SqlProjection
) -> None:
    """Prime the market data from the live engine (no journal replay for it), recover
    candles, tickers and recent trades from SQL, start its ticks."""
    await runner.attach_sink(sink, read_engine, sink.prime)
    await sink.recover(projection.last_seq)
    sink.start()


async def _ensure_markets(runner: EngineRunner[Engine], specs: list[MarketSpec]) -> None:
    """Add the configured markets the engine does not know (a journaled command each);
    a changed configuration of an existing market is an admin command, not a restart."""
    known = await runner.query(lambda engine: {spec.symbol: spec for spec in engine.markets()})
    for spec in specs:
        if spec.symbol in known:
            if _static_fields(known[spec.symbol]) != _static_fields(spec):
                _log.warning("trading.market_config_differs", symbol=spec.symbol,
                             note="tick/lot sizes and limits of a live market do not change "
                             "by configuration")  # fmt: skip
            continue
        result = await runner.submit(AddMarket(spec))
        for event in result.events:
            if isinstance(event, OrderRejected):
                raise RuntimeError(f"the engine refused market {spec.symbol}: {event.reason}")


def _static_fields(spec: MarketSpec) -> tuple[object, ...]:
    return (spec.base, spec.quote, spec.base_scale, spec.quote_scale, spec.tick_size,
            spec.lot_size)  # fmt: skip


def _scales(ctx: TradingContext) -> dict[str, int]:
    return {symbol: ctx.assets.get(symbol).scale for symbol in ctx.assets.symbols()}


def _engine_ready(handle: EngineHandle) -> ReadinessCheck:
    async def probe() -> bool:
        return handle.health().state == "running"

    return ReadinessCheck("engine", probe)


def build_component(
    settings: TradingSettings,
    *,
    identity_secret: bytes | None = None,
    clock: Clock | None = None,
    realtime: RealtimePublisher | None = None,
    fund_liquidity_bot: Callable[[], Awaitable[None]] | None = None,
) -> TradingComponent:
    """Build the trading service from ``settings`` (nothing connects until ``start``).
    ``realtime`` is where market data and private updates are published (the gateway's
    hub in embedded mode, Redis when distributed); none: nothing is published.
    ``fund_liquidity_bot`` funds the bot's spot wallet through banking (retried by the
    bot until it succeeds; see ``docs/trading/liquidity.md``)."""
    identity_secret = identity_secret or settings.identity_secret_bytes()
    engine = create_engine(settings.database_url)
    handle = EngineHandle()
    after_commit: list[Callable[[], None]] = []
    context = TradingContext(
        settings=settings,
        engine=handle,
        history=HistoryReader(engine),
        clock=clock or SystemClock(),
        positions=functools.partial(read_positions, engine),
    )
    context.audit = SqlAudit(engine, context.clock)
    projection = SqlProjection(
        engine,
        registry=default_registry(),
        after_commit=after_commit,
        asset_scales=_scales(context),
    )
    marketdata = MarketDataSink(
        publisher=realtime, store=SqlCandleStore(engine), clock_us=context.now_us
    )
    app = create_app(
        context,
        engine=engine,
        identity_secret=identity_secret,
        readiness=[_engine_ready(handle)],
        marketdata=marketdata,
    )
    market_sources = None
    if settings.marketdata_enabled:
        market_sources = build_market_data(settings, context, ensure_funded=fund_liquidity_bot)
    app.state.market_sources = market_sources
    return TradingComponent(
        settings=settings,
        app=app,
        context=context,
        engine=engine,
        handle=handle,
        projection=projection,
        marketdata=marketdata,
        market_sources=market_sources,
        resender=FundingResender(
            engine, default_registry(), scales=_scales(context), after_commit=after_commit
        ),
        after_commit=after_commit,
    )
