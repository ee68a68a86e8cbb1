"""The simulated venue: a pure function of its seed and the clock (same seed, same
answers, whatever the order of the calls; another seed, another walk), prices on the
market's tick and amounts on its lot, candles of every interval made of the same
minutes, and a price that moves from second to second around the configured start."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from burency_common.market_math import MarketGrid
from burency_trading.service.sources.port import (
    SourceExchangeError,
    decimal_of,
    price_to_ticks,
    qty_to_lots,
)
from burency_trading.service.sources.simulated import SimulatedMarket, SimulatedSource

NOW = 1_790_000_123_456  # ms
BTC = SimulatedMarket("BTC/AED", Decimal("350000"), Decimal("0.01"), Decimal("0.00001"),
                      Decimal("60"))  # fmt: skip
USDT = SimulatedMarket("USDT/AED", Decimal("3.6725"), Decimal("0.0001"), Decimal("0.01"),
                       Decimal("5000000"), volatility=0.02)  # fmt: skip


def _source(seed: int = 16, now: list[int] | None = None) -> SimulatedSource:
    clock = now or [NOW]
    return SimulatedSource([BTC, USDT], seed=seed, now_ms=lambda: clock[0],
                           anchor_ms=NOW)  # fmt: skip


async def _everything(source: SimulatedSource, order: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for what in order:
        if what == "ticker":
            out[what] = await source.fetch_ticker("BTC/AED")
        elif what == "book":
            out[what] = await source.fetch_order_book("BTC/AED", 5)
        elif what == "trades":
            out[what] = await source.fetch_trades("BTC/AED", None, 10)
        else:
            out[what] = await source.fetch_ohlcv("BTC/AED", what, None, 30)
    return out


async def test_same_seed_same_answers_in_any_order() -> None:
    order = ["ticker", "book", "trades", "1m", "1h", "1d"]
    first = await _everything(_source(), order)
    again = await _everything(_source(), list(reversed(order)))
    assert first == again
    other = await _everything(_source(seed=17), order)
    assert other["ticker"] != first["ticker"]
    assert other["1h"] != first["1h"]


async def test_values_sit_on_the_grid_and_candles_agree_across_intervals() -> None:
    source = _source()
    hourly = await source.fetch_ohlcv("BTC/AED", "1h", None, 24)
    assert len(hourly) == 24
    for candle in hourly:
        for value in (candle.open, candle.high, candle.low, candle.close):
            assert value == value.quantize(Decimal("0.01"))
            assert value > 0
        assert candle.low <= min(candle.open, candle.close)
        assert candle.high >= max(candle.open, candle.close)
    previous = hourly[-2]
    minutes = await source.fetch_ohlcv("BTC/AED", "1m", previous.open_time_ms, 60)
    assert [m.open_time_ms for m in minutes] == [previous.open_time_ms + i * 60_000
                                                 for i in range(60)]  # fmt: skip
    assert minutes[0].open == previous.open
    assert minutes[-1].close == previous.close
    assert max(m.high for m in minutes) == previous.high
    assert min(m.low for m in minutes) == previous.low
    assert sum(m.volume for m in minutes) == previous.volume
    assert all(c.close == n.open for c, n in pairwise(hourly))


async def test_the_price_moves_around_its_start_price() -> None:
    clock = [NOW]
    source = _source(now=clock)
    seen = set()
    for _ in range(30):
        ticker = await source.fetch_ticker("BTC/AED")
        seen.add(ticker.last)
        assert ticker.bid is not None
        assert ticker.ask is not None
        assert ticker.bid < ticker.last < ticker.ask
        assert Decimal("250000") < ticker.last < Decimal("450000")  # a day at 60 %/year
        clock[0] += 1000
    assert len(seen) > 20  # moves from second to second
    usdt = await source.fetch_ticker("USDT/AED")
    assert abs(usdt.last - Decimal("3.6725")) < Decimal("0.05")
    assert usdt.last == usdt.last.quantize(Decimal("0.0001"))
    book = await source.fetch_order_book("USDT/AED", 3)
    assert all(level.amount % Decimal("0.01") == 0 for level in book.bids + book.asks)
    day = (await source.fetch_ohlcv("BTC/AED", "1d", None, 1))[0]
    assert day.open == Decimal("350000.00")  # the anchor day starts at the start price


async def test_history_is_bounded_and_unknown_markets_refused() -> None:
    source = _source()
    days = await source.fetch_ohlcv("BTC/AED", "1d", None, 500)
    assert len(days) == 61  # history_days = 60, and today
    with pytest.raises(SourceExchangeError):
        await source.fetch_ticker("DOGE/AED")


GRID = MarketGrid(8, 2, "0.01", "0.00001")


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=6))
def test_prices_round_to_the_tick_as_asked(price: Decimal) -> None:
    down, up = price_to_ticks(GRID, price, "down"), price_to_ticks(GRID, price, "up")
    assert Decimal(down) / 100 <= price <= Decimal(up) / 100
    assert up - down in (0, 1)
    assert qty_to_lots(GRID, price) == int(price * 100_000)


@given(st.floats(min_value=1e-8, max_value=1e9, allow_nan=False))
def test_floats_from_a_library_become_their_shortest_decimal(value: float) -> None:
    number = decimal_of(value)
    assert number == Decimal(repr(value))
    assert float(number) == value  # type: ignore[arg-type]
