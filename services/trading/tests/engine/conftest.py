"""A small harness for the engine's golden tests: one engine, seq numbering, funding,
and event filters. Market "BTC/AED": tick 0.01 AED, lot 0.0001 BTC, so a lot at
``p`` ticks is worth ``p / 10_000`` fils (AED minor units): rounding shows."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
import pytest

from burency_trading.domain.engine import Engine
from burency_trading.domain.model import (
    AddMarket,
    Command,
    Event,
    MarketSpec,
    OrderRejected,
    OrderType,
    PlaceOrder,
    Side,
    TransferIn,
)

E = TypeVar("E")

BTC_AED = MarketSpec(
    symbol="BTC/AED",
    base="BTC",
    quote="AED",
    base_scale=8,
    quote_scale=2,
    tick_size="0.01",
    lot_size="0.0001",
    min_qty=1,
    max_qty=100_000,
    min_notional=1,
    maker_ppm=1_000,
    taker_ppm=2_000,
    price_band_bps=0,
    market_slippage_bps=500,
)
LOT = 10_000  # satoshi per lot


class Harness:
    def __init__(self) -> None:
        self.engine = Engine()
        self.seq = 0
        self.ts = 1_700_000_000_000_000

    def run(self, command: Command) -> list[Event]:
        self.seq += 1
        self.ts += 1
        return self.engine.apply(command, self.seq, self.ts)

    def fund(self, user: str, asset: str, amount: int) -> None:
        events = self.run(TransferIn(f"fund-{self.seq}", user, asset, amount))
        assert events[0].reason == ""  # type: ignore[union-attr]

    def limit(self, user: str, side: Side, qty: int, price: int, **kw: Any) -> list[Event]:
        return self.run(
            PlaceOrder(user, kw.pop("market", "BTC/AED"), side, OrderType.LIMIT, qty=qty,
                       price=price, **kw)
        )  # fmt: skip

    def place(self, user: str, side: Side, type_: OrderType, **kw: Any) -> list[Event]:
        return self.run(PlaceOrder(user, kw.pop("market", "BTC/AED"), side, type_, **kw))

    def bal(self, user: str, asset: str) -> tuple[int, int]:
        return self.engine.balances(user).get(asset, (0, 0))

    def check_conservation(self) -> None:
        assert self.engine.totals() == self.engine.net_transferred()


def of(events: list[Event], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


def rejected(events: list[Event]) -> str:
    found = of(events, OrderRejected)
    assert len(found) == 1, events
    assert len(events) == 1, events  # a refusal changes nothing: no other event
    return found[0].reason.value


def market(**changes: Any) -> MarketSpec:
    return msgspec.structs.replace(BTC_AED, **changes)


@pytest.fixture
def h() -> Harness:
    harness = Harness()
    harness.run(AddMarket(BTC_AED))
    for user in ("alice", "bob", "carol"):
        harness.fund(user, "AED", 100_000_000)  # 1,000,000.00 AED
        harness.fund(user, "BTC", 10 * 100_000_000)  # 10 BTC
    return harness
