"""A trading context on the real engine applied in-process (no runner thread, no
journal), its results handed to the real SQL projection on SQLite, so the bot's history
look-ups read real rows; plus a reference the test moves by hand."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.db import create_engine, migrate
from burency_common.money import parse_amount
from burency_common.timeutil import SystemClock, utc_now
from burency_trading.adapters.history import HistoryReader
from burency_trading.adapters.projection import SqlProjection
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import (
    AddMarket,
    Command,
    OrderType,
    PlaceOrder,
    SetFeeSchedule,
    Side,
    TransferIn,
)
from burency_trading.service.context import TradingContext
from burency_trading.service.ports import CommandResult, EventSink
from burency_trading.service.sources.supervisor import Reference
from burency_trading.settings import TradingSettings, fee_schedule, market_specs

T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


class LocalEngine:
    """``EngineAccess`` over a real :class:`Engine` on the test's loop."""

    def __init__(self, sinks: Sequence[EventSink] = ()) -> None:
        self.engine = Engine()
        self.seq = 0
        self.ts = 0
        self.sinks = list(sinks)
        self.submitted: list[Command] = []

    async def submit(self, command: Command) -> CommandResult:
        self.seq += 1
        self.ts = max(self.ts + 1, int(utc_now().timestamp() * 1_000_000))
        events = self.engine.apply(command, self.seq, self.ts)
        result = CommandResult(self.seq, self.ts, command, events)
        self.submitted.append(command)
        for sink in self.sinks:
            await sink.handle([result])
        return result

    async def query(self, fn: Callable[[Any], T]) -> T:
        return fn(self.engine)

    async def submit_decided(
        self, decide: Callable[[Any], tuple[T, Command | None]]
    ) -> tuple[T, CommandResult | None]:
        value, command = decide(self.engine)
        return value, None if command is None else await self.submit(command)

    def health(self) -> dict[str, object]:
        sinks = {getattr(sink, "name", "sink"): self.seq for sink in self.sinks}
        return {"seq": self.seq, "state": "running", "queue_depth": 0, "sinks": sinks}


@dataclass
class Rig:
    ctx: TradingContext
    local: LocalEngine
    db: AsyncEngine
    transfers: int = 0

    async def fund(self, user_id: str, asset: str, amount: str) -> None:
        self.transfers += 1
        minor = parse_amount(amount, self.ctx.assets.get(asset).scale)
        await self.local.submit(TransferIn(f"t{self.transfers}", user_id, asset, minor))

    async def limit(
        self, user_id: str, symbol: str, side: Side, qty: str, price: str
    ) -> CommandResult:
        grid = self.ctx.grid(symbol)
        return await self.local.submit(
            PlaceOrder(user_id=user_id, market=symbol, side=side, type=OrderType.LIMIT,
                       qty=grid.parse_quantity(qty), price=grid.parse_price(price))
        )  # fmt: skip

    async def depth(self, symbol: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        bids, asks = await self.local.query(lambda e: e.depth(symbol, 100))
        grid = self.ctx.grid(symbol)

        def text(rows: list[tuple[int, int]]) -> list[tuple[str, str]]:
            return [(grid.format_price(p), grid.format_quantity(q)) for p, q in rows]

        return text(bids), text(asks)


def make_settings(tmp_path: Path, **overrides: Any) -> TradingSettings:
    return TradingSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'trading.db'}",
        journal_dir=tmp_path / "journal",
        **overrides,
    )


async def make_rig(tmp_path: Path, **overrides: Any) -> Rig:
    settings = make_settings(tmp_path, **overrides)
    db = create_engine(settings.database_url)
    await migrate(db, MIGRATIONS)
    local = LocalEngine([SqlProjection(db)])
    for spec in market_specs(settings):
        await local.submit(AddMarket(spec))
    await local.submit(SetFeeSchedule(fee_schedule(settings)))
    ctx = TradingContext(
        settings=settings, engine=local, history=HistoryReader(db), clock=SystemClock()
    )
    return Rig(ctx, local, db)


class ManualReference:
    """A ``ReferenceReader`` the test sets: ``prices.set("BTC/AED", "350000")``."""

    def __init__(self) -> None:
        self.prices: dict[str, Reference] = {}

    def set(self, symbol: str, price: str, *, stale: bool = False) -> None:
        self.prices[symbol] = Reference(symbol, Decimal(price), 0, stale, "manual")

    def reference(self, symbol: str) -> Reference | None:
        return self.prices.get(symbol)
