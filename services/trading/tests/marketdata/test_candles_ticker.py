"""Candles and the 24 h ticker from seeded trade streams, against naive recomputations.

Candles: built incrementally (trade by trade, across a restore from stored candles
half-way) must equal a plain group-by of the same trades on ``ts // length``, for every
interval. Ticker: rolling by trade time over the last 1,440 minute buckets, checked
minute by minute across the window's edge against a filter of the raw trades.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from burency_trading.domain.marketdata.candles import (
    INTERVALS,
    Candle,
    CandleBook,
    RecentTrades,
    TradeTick,
)
from burency_trading.domain.marketdata.ticker import RollingTickers

MINUTE = 60_000_000
START = 1_700_000_000_000_000  # µs, not on any boundary


def seeded_trades(seed: int, count: int, spread_minutes: int) -> list[TradeTick]:
    rng = random.Random(seed)
    ts, price = START, 100_000
    trades = []
    for trade_id in range(1, count + 1):
        ts += rng.randint(0, spread_minutes * MINUTE // count * 2)
        price = max(1, price + rng.randint(-50, 50))
        qty = rng.randint(1, 500)
        trades.append(TradeTick(trade_id, "BTC/AED", price, qty, price * qty // 100,
                                rng.random() < 0.5, ts))  # fmt: skip
    return trades


def naive_candles(trades: list[TradeTick], length: int) -> list[tuple[int, ...]]:
    groups: dict[int, list[TradeTick]] = defaultdict(list)
    for t in trades:
        groups[t.ts // length * length].append(t)
    rows = []
    for opened in sorted(groups):
        g = groups[opened]
        buys = [t for t in g if t.taker_is_buy]
        rows.append((
            opened, g[0].price, max(t.price for t in g), min(t.price for t in g), g[-1].price,
            sum(t.qty for t in g), sum(t.quote_amount for t in g), len(g),
            sum(t.qty for t in buys), sum(t.quote_amount for t in buys), g[0].trade_id,
            g[-1].trade_id,
        ))  # fmt: skip
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_candles_equal_a_group_by_for_every_interval(seed: int) -> None:
    trades = seeded_trades(seed, 5_000, spread_minutes=3 * 1440)
    book = CandleBook()
    seen: dict[tuple[str, int], tuple[int, ...]] = {}
    half = len(trades) // 2
    for t in trades[:half]:
        book.add(t)
        for c in book.take_changed():
            seen[(c.interval, c.open_time)] = c.as_tuple()
    # a restart: the current candles come back from storage, trades after them replayed
    # (a few already counted are replayed too: they must not count twice)
    restored = CandleBook()
    for candle in book.current.values():
        restored.restore(Candle.from_tuple(candle.market, candle.interval, candle.as_tuple()))
    for t in trades[half - 20 :]:
        restored.add(t)
        for c in restored.take_changed():
            seen[(c.interval, c.open_time)] = c.as_tuple()
    for interval, length in INTERVALS.items():
        built = [row for (i, _), row in sorted(seen.items()) if i == interval]
        assert built == naive_candles(trades, length), interval


def naive_ticker(trades: list[TradeTick], now: int) -> tuple[int, ...]:
    start = now // MINUTE * MINUTE - 1439 * MINUTE
    inside = [t for t in trades if start <= t.ts <= now]
    if not inside:
        return (0, 0, 0, 0, 0, 0, -1, -1)
    return (
        inside[0].price, max(t.price for t in inside), min(t.price for t in inside),
        sum(t.qty for t in inside), sum(t.quote_amount for t in inside), len(inside),
        inside[0].trade_id, inside[-1].trade_id,
    )  # fmt: skip


def test_the_24h_ticker_rolls_across_the_window_edge() -> None:
    trades = seeded_trades(7, 3_000, spread_minutes=2 * 1440)
    tickers = RollingTickers()
    fed = 0
    now = START
    end = trades[-1].ts + 1441 * MINUTE  # past the end: the window empties
    while now <= end:
        while fed < len(trades) and trades[fed].ts <= now:
            tickers.add(trades[fed])
            fed += 1
        got = tickers.ticker("BTC/AED", now)
        fields = (got.open, got.high, got.low, got.volume, got.quote_volume, got.count,
                  got.first_trade_id, got.last_trade_id)  # fmt: skip
        assert fields == naive_ticker(trades[:fed], now)
        assert got.last == (trades[fed - 1].price if fed else 0)
        now += 7 * MINUTE + 13_000_000  # not minute-aligned
    assert tickers.ticker("BTC/AED", end).count == 0
    assert tickers.ticker("BTC/AED", end).last == trades[-1].price  # the last price stays


def test_a_trade_exactly_24h_old_leaves_the_window_at_the_next_minute() -> None:
    tickers = RollingTickers()
    t0 = START - START % MINUTE  # on a minute boundary
    tickers.add(TradeTick(1, "BTC/AED", 100, 1, 100, True, t0))
    tickers.add(TradeTick(2, "BTC/AED", 120, 2, 240, False, t0 + 1439 * MINUTE))
    inside = tickers.ticker("BTC/AED", t0 + 1440 * MINUTE - 1)
    assert (inside.open, inside.count, inside.change) == (100, 2, 20)
    rolled = tickers.ticker("BTC/AED", t0 + 1440 * MINUTE)
    assert (rolled.open, rolled.count, rolled.volume, rolled.first_trade_id) == (120, 1, 2, 2)


def test_recent_trades_keep_the_newest_and_ignore_replays() -> None:
    ring = RecentTrades(size=3)
    trades = seeded_trades(3, 10, spread_minutes=5)
    for t in trades + trades[-2:]:
        ring.add(t)
    assert [t.trade_id for t in ring.latest("BTC/AED", 10)] == [8, 9, 10]
    assert [t.trade_id for t in ring.latest("BTC/AED", 2)] == [9, 10]
