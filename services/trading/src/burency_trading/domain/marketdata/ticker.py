"""The 24 h rolling ticker per market, from per-minute buckets (bounded memory).

The window is the last 1,440 whole minutes by trade time: at instant ``now`` (µs) it
holds the trades of the minute buckets whose open time is at or after
``minute(now) - 1439 minutes`` (so it spans 23 h 59 min to 24 h). A market keeps at most
1,440 buckets (one 1m candle each); older ones are dropped as trades arrive or when the
ticker is read.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .candles import INTERVALS, Candle, TradeTick, open_time

__all__ = ["WINDOW_MINUTES", "RollingTickers", "Ticker"]

WINDOW_MINUTES = 1440
_MINUTE = INTERVALS["1m"]


@dataclass(frozen=True, slots=True)
class Ticker:
    """Integers: prices in ticks, volume in lots, quote volume in quote minor units."""

    market: str
    open: int  # the first trade's price in the window (0: no trade)
    high: int
    low: int
    last: int  # the last trade's price ever (0: never traded), like Binance's lastPrice
    volume: int
    quote_volume: int
    count: int
    first_trade_id: int  # -1 when the window is empty (Binance's convention)
    last_trade_id: int
    open_time: int  # µs: the window's start
    close_time: int  # µs: ``now``

    @property
    def change(self) -> int:
        """last - open in ticks (0 when the window is empty)."""
        return self.last - self.open if self.count else 0


class RollingTickers:
    """Minute buckets per market; :meth:`ticker` sums the window at an instant."""

    def __init__(self) -> None:
        self._buckets: dict[str, deque[Candle]] = {}
        self._last: dict[str, tuple[int, int]] = {}  # market -> (trade id, price)

    def restore(self, candle: Candle) -> None:
        """Add a stored 1m candle (start-up, oldest first)."""
        ring = self._ring(candle.market)
        if not ring or ring[-1].open_time < candle.open_time:
            ring.append(Candle.from_tuple(candle.market, "1m", candle.as_tuple()))
            self._note_last(candle.market, candle.last_trade_id, candle.close)

    def set_last(self, market: str, trade_id: int, price: int) -> None:
        """The last trade ever (known from before the window, at start-up)."""
        self._note_last(market, trade_id, price)

    def add(self, trade: TradeTick) -> None:
        ring = self._ring(trade.market)
        opened = open_time(trade.ts, _MINUTE)
        if ring and trade.trade_id <= ring[-1].last_trade_id:
            return  # seen already
        if not ring or ring[-1].open_time < opened:
            ring.append(Candle(trade.market, "1m", opened, trade))
        ring[-1].add(trade)
        self._note_last(trade.market, trade.trade_id, trade.price)
        self._expire(ring, opened)

    def ticker(self, market: str, now: int) -> Ticker:
        """The ticker over the window ending at ``now`` (µs)."""
        start = open_time(now, _MINUTE) - (WINDOW_MINUTES - 1) * _MINUTE
        ring = self._buckets.get(market)
        if ring:
            self._expire(ring, open_time(now, _MINUTE))
        inside = [c for c in ring or () if c.open_time >= start]
        last = self._last.get(market, (0, 0))[1]
        if not inside:
            return Ticker(market, 0, 0, 0, last, 0, 0, 0, -1, -1, start, now)
        return Ticker(
            market=market,
            open=inside[0].open,
            high=max(c.high for c in inside),
            low=min(c.low for c in inside),
            last=last,
            volume=sum(c.volume for c in inside),
            quote_volume=sum(c.quote_volume for c in inside),
            count=sum(c.count for c in inside),
            first_trade_id=inside[0].first_trade_id,
            last_trade_id=inside[-1].last_trade_id,
            open_time=start,
            close_time=now,
        )

    def markets(self) -> list[str]:
        return sorted(self._last)

    def _ring(self, market: str) -> deque[Candle]:
        ring = self._buckets.get(market)
        if ring is None:
            ring = self._buckets[market] = deque()
        return ring

    def _note_last(self, market: str, trade_id: int, price: int) -> None:
        if trade_id >= self._last.get(market, (0, 0))[0]:
            self._last[market] = (trade_id, price)

    @staticmethod
    def _expire(ring: deque[Candle], minute: int) -> None:
        start = minute - (WINDOW_MINUTES - 1) * _MINUTE
        while ring and ring[0].open_time < start:
            ring.popleft()
