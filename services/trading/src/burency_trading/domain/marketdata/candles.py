"""Candles (klines) built incrementally from trades, and recent trades per market.

Intervals are 1m 5m 15m 1h 4h 1d; a candle's open time is a multiple of its length since
the UNIX epoch (UTC), in microseconds like the engine's ``ts``. Everything is an
integer: prices in ticks, volume in lots, quote volume in quote minor units.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "INTERVALS",
    "Candle",
    "CandleBook",
    "RecentTrades",
    "TradeTick",
    "open_time",
]

_MINUTE = 60_000_000  # µs
INTERVALS: dict[str, int] = {
    "1m": _MINUTE,
    "5m": 5 * _MINUTE,
    "15m": 15 * _MINUTE,
    "1h": 60 * _MINUTE,
    "4h": 240 * _MINUTE,
    "1d": 1440 * _MINUTE,
}
"""Interval name -> length in microseconds."""


def open_time(ts: int, length: int) -> int:
    """The open time of the candle of ``length`` µs holding instant ``ts`` (µs)."""
    return ts - ts % length


@dataclass(frozen=True, slots=True)
class TradeTick:
    """A public trade (the engine's Trade, without its users)."""

    trade_id: int
    market: str
    price: int
    qty: int
    quote_amount: int
    taker_is_buy: bool
    ts: int


class Candle:
    """One candle; ``first_trade_id``/``last_trade_id`` make applying a trade idempotent."""

    __slots__ = (
        "close",
        "count",
        "first_trade_id",
        "high",
        "interval",
        "last_trade_id",
        "low",
        "market",
        "open",
        "open_time",
        "quote_volume",
        "taker_buy_quote",
        "taker_buy_volume",
        "volume",
    )

    def __init__(self, market: str, interval: str, opened: int, trade: TradeTick) -> None:
        self.market = market
        self.interval = interval
        self.open_time = opened
        self.open = self.high = self.low = self.close = trade.price
        self.volume = self.quote_volume = self.count = 0
        self.taker_buy_volume = self.taker_buy_quote = 0
        self.first_trade_id = trade.trade_id
        self.last_trade_id = 0

    @property
    def close_time(self) -> int:
        """The last microsecond of the candle."""
        return self.open_time + INTERVALS[self.interval] - 1

    def add(self, trade: TradeTick) -> None:
        price = trade.price
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.close = price
        self.volume += trade.qty
        self.quote_volume += trade.quote_amount
        self.count += 1
        if trade.taker_is_buy:
            self.taker_buy_volume += trade.qty
            self.taker_buy_quote += trade.quote_amount
        self.last_trade_id = trade.trade_id

    def as_tuple(self) -> tuple[int, ...]:
        """The values compared by tests and stored (open time first)."""
        return (
            self.open_time, self.open, self.high, self.low, self.close, self.volume,
            self.quote_volume, self.count, self.taker_buy_volume, self.taker_buy_quote,
            self.first_trade_id, self.last_trade_id,
        )  # fmt: skip

    @classmethod
    def from_tuple(cls, market: str, interval: str, row: tuple[int, ...]) -> Candle:
        candle = cls.__new__(cls)
        candle.market = market
        candle.interval = interval
        (candle.open_time, candle.open, candle.high, candle.low, candle.close, candle.volume,
         candle.quote_volume, candle.count, candle.taker_buy_volume, candle.taker_buy_quote,
         candle.first_trade_id, candle.last_trade_id) = row  # fmt: skip
        return candle


class CandleBook:
    """The current candle of every (market, interval), plus the ones changed since the
    last :meth:`take_changed` (to publish and to persist). Closed candles are kept only
    until taken: history is the store's."""

    def __init__(self, intervals: Iterable[str] = INTERVALS) -> None:
        self.intervals = tuple(intervals)
        self.current: dict[tuple[str, str], Candle] = {}
        self._changed: dict[tuple[str, str, int], Candle] = {}

    def restore(self, candle: Candle) -> None:
        """Take a stored candle as the current one (start-up); the newest wins."""
        key = (candle.market, candle.interval)
        found = self.current.get(key)
        if found is None or found.open_time <= candle.open_time:
            self.current[key] = candle

    def add(self, trade: TradeTick) -> None:
        for interval in self.intervals:
            key = (trade.market, interval)
            candle = self.current.get(key)
            opened = open_time(trade.ts, INTERVALS[interval])
            if candle is not None and trade.trade_id <= candle.last_trade_id:
                continue  # seen already (a replay at start-up)
            if candle is None or opened > candle.open_time:
                candle = self.current[key] = Candle(trade.market, interval, opened, trade)
            elif opened < candle.open_time:
                continue  # older than the current candle: a trade from before a restore
            candle.add(trade)
            self._changed[(trade.market, interval, candle.open_time)] = candle

    def take_changed(self) -> list[Candle]:
        """Candles changed since the last call, in the order they changed."""
        changed = list(self._changed.values())
        self._changed.clear()
        return changed

    @property
    def dirty(self) -> bool:
        return bool(self._changed)


class RecentTrades:
    """The last ``size`` trades of each market (newest last)."""

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self._by_market: dict[str, deque[TradeTick]] = {}

    def add(self, trade: TradeTick) -> None:
        ring = self._by_market.get(trade.market)
        if ring is None:
            ring = self._by_market[trade.market] = deque(maxlen=self.size)
        if ring and trade.trade_id <= ring[-1].trade_id:
            return  # seen already
        ring.append(trade)

    def latest(self, market: str, limit: int) -> list[TradeTick]:
        """Up to ``limit`` newest trades, oldest first (Binance's order)."""
        ring = self._by_market.get(market)
        if not ring:
            return []
        return list(ring)[-limit:]
