"""The reference-price supervisor: the venue's price (through ccxt and the fake Binance
venue) reaches the engine, so the price band works on a market that never traded; small
moves journal nothing; an outage marks the market stale without stopping anything, and
the venue's return clears it; staff can switch a market to another source."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal

import pytest

from burency_common.market_math import MarketGrid
from burency_testing.fake_binance import FakeBinance
from burency_testing.waiting import eventually
from burency_trading.domain.model import (
    OrderAccepted,
    OrderRejected,
    OrderType,
    PlaceOrder,
    SetReferencePrice,
    Side,
    TransferIn,
)
from burency_trading.service.sources.port import MarketDataSource
from burency_trading.service.sources.simulated import SimulatedMarket, SimulatedSource
from burency_trading.service.sources.supervisor import ReferencePrices

from .conftest import LocalEngine, ccxt_for

GRID = MarketGrid(8, 2, "0.01", "0.00001")  # BTC/AED


def _factory(venue: FakeBinance) -> Callable[[str], MarketDataSource]:
    def build(name: str) -> MarketDataSource:
        if name == "ccxt:binance":
            return ccxt_for(venue)
        if name == "simulated":
            market = SimulatedMarket("BTC/AED", Decimal("350000"), Decimal("0.01"),
                                     Decimal("0.00001"), Decimal("50"))  # fmt: skip
            return SimulatedSource([market], seed=7, now_ms=lambda: 1_790_000_000_000)
        raise ValueError(f"unknown source {name}")

    return build


@asynccontextmanager
async def running(prices: ReferencePrices) -> AsyncIterator[asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(prices.run(stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await prices.close()


def _prices(engine: LocalEngine, venue: FakeBinance, **kwargs: object) -> ReferencePrices:
    options: dict[str, object] = {"interval": 0.05, "stale_after": 3, "backoff_max": 0.2}
    return ReferencePrices(engine=engine, grids={"BTC/AED": GRID},
                           markets={"BTC/AED": "ccxt:binance"}, factory=_factory(venue),
                           **(options | kwargs))  # type: ignore[arg-type]  # fmt: skip


def _order(price: str) -> PlaceOrder:
    return PlaceOrder(user_id="alice", market="BTC/AED", side=Side.BUY, type=OrderType.LIMIT,
                      qty=GRID.parse_quantity("0.001"), price=GRID.parse_price(price))  # fmt: skip


async def test_the_venue_price_reaches_the_engine_and_its_band(venue: FakeBinance) -> None:
    engine = LocalEngine()
    await engine.submit(TransferIn("t1", "alice", "AED", 100_000_000))
    far = await engine.submit(_order("200000"))  # no trade, no reference: no band yet
    assert isinstance(far.events[0], OrderAccepted)
    prices = _prices(engine, venue)
    async with running(prices):
        await eventually(lambda: _has(prices, "95000"), "the venue's price")
        assert await _sent(engine, [9_500_000])
        out = await engine.submit(_order("120000"))  # 26 % above 95,000: outside the band
        assert [type(e) for e in out.events] == [OrderRejected]
        assert out.events[0].reason == "ORDER_PRICE_OUT_OF_BAND"  # type: ignore[union-attr]
        inside = await engine.submit(_order("96000"))
        assert isinstance(inside.events[0], OrderAccepted)
        venue.set_price("BTC/USDT", "95050")  # 0.05 %: under the 0.1 % minimum change
        await eventually(lambda: _has(prices, "95050"), "the small move")
        venue.set_price("BTC/USDT", "97000")
        await eventually(lambda: _has(prices, "97000"), "the large move")
        await eventually(lambda: _sent(engine, [9_500_000, 9_700_000]), "the new reference")
    status = prices.status()[0]
    assert (status.source, status.errors, status.engine_price_ticks) == ("ccxt:binance", 0,
                                                                         9_700_000)  # fmt: skip


async def _has(prices: ReferencePrices, price: str) -> bool:
    ref = prices.reference("BTC/AED")
    return ref is not None and ref.price == Decimal(price) and not ref.stale


async def _sent(engine: LocalEngine, expected: list[int]) -> bool:
    return [c.price for c in engine.submitted if isinstance(c, SetReferencePrice)] == expected


@pytest.mark.parametrize("mode", ["5xx", "refused"])
async def test_an_outage_marks_the_market_stale_and_recovery_clears_it(
    venue: FakeBinance, mode: str
) -> None:
    engine = LocalEngine()
    prices = _prices(engine, venue)
    async with running(prices) as task:
        await eventually(lambda: _has(prices, "95000"), "the venue's price")
        await venue.outage(mode)

        async def stale() -> bool:
            s = prices.status()[0]
            return s.stale and s.consecutive_errors >= 2

        await eventually(stale, "the market to go stale")
        assert prices.reference_price("BTC/AED") is None  # stale: not to be trusted
        assert prices.reference("BTC/AED").price == Decimal("95000")  # type: ignore[union-attr]
        assert "NetworkError" in (prices.status()[0].last_error or "")
        assert not task.done()
        await venue.recover()
        await eventually(lambda: _has(prices, "95000"), "recovery")
        status = prices.status()[0]
        assert (status.stale, status.consecutive_errors) == (False, 0)
        assert status.errors >= 2


async def test_staff_switch_a_market_to_another_source(venue: FakeBinance) -> None:
    engine = LocalEngine()
    prices = _prices(engine, venue)
    async with running(prices):
        await eventually(lambda: _has(prices, "95000"), "the venue's price")
        status = prices.switch("BTC/AED", "simulated")
        assert (status.source, status.price, status.stale) == ("simulated", None, True)

        async def simulated() -> bool:
            ref = prices.reference("BTC/AED")
            return ref is not None and ref.source == "simulated" and not ref.stale

        await eventually(simulated, "the simulated price")
        candles = await prices.reference_klines("BTC/AED", "1h", 3)
        assert len(candles) == 3
        with pytest.raises(ValueError, match="unknown source"):
            prices.switch("BTC/AED", "ccxt:nowhere")
        with pytest.raises(KeyError):
            prices.switch("DOGE/AED", "simulated")
        with pytest.raises(ValueError, match="interval"):
            await prices.reference_klines("BTC/AED", "2m")
