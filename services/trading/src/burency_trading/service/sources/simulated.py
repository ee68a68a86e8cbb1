"""A simulated venue: a seeded geometric random walk per market, offline and deterministic.

Used in embedded mode and whenever no venue is configured, so a new install has moving
reference prices, a reference chart and something for the liquidity bot to quote around.

**Determinism.** Every value is a pure function of ``(seed, symbol, anchor day, time)``:
the same seed answers the same prices, candles, trades and books for the same instants,
in any order of calls, in any process. The walk is built in three layers, each drawn
from its own ``random.Random`` keyed by a hash of (seed, symbol, layer, index), so any
instant is reached without walking from the beginning of time:

* **days**: the log price at each UTC midnight, a Gaussian step per day from the
  anchor day (the configured start price at 00:00 of the day the source was built);
* **minutes**: within a day, a Brownian bridge of 1,440 steps between the two
  midnights, plus each minute's wick (high/low) and volume;
* **seconds**: within a minute, a Brownian bridge of 60 steps between the minute's open
  and close, kept inside the minute's high/low: the live price.

Candles of every interval aggregate the minutes, so a 1 h candle is exactly its sixty
1 m candles. The walk itself is floating point (it invents numbers, it holds no one's
money); every value leaving the source is a :class:`~decimal.Decimal` on the market's
price step (tick) or amount step (lot).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import random
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from burency_trading.service.sources.port import (
    TIMEFRAME_SECONDS,
    BookLevel,
    Candle,
    OrderBookSnapshot,
    PublicTrade,
    SourceExchangeError,
    Ticker,
)

__all__ = ["SimulatedMarket", "SimulatedSource"]

DAY_MS = 86_400_000
MINUTE_MS = 60_000
MINUTES = 1440
YEAR_DAYS = 365.0


@dataclass(frozen=True, slots=True)
class SimulatedMarket:
    """One simulated market: where its walk starts and how it moves.

    ``volatility`` is annualised (0.6 = 60 %/year, about 3 %/day); ``daily_volume`` in
    base units; ``price_step``/``amount_step`` the grid the values are rounded to."""

    symbol: str
    start_price: Decimal
    price_step: Decimal
    amount_step: Decimal
    daily_volume: Decimal
    volatility: float = 0.6


@dataclass(frozen=True, slots=True)
class _Day:
    """One day of minutes: log prices at each minute boundary, wicks and volumes."""

    closes: list[float]  # MINUTES + 1 log prices (index i = start of minute i)
    highs: list[float]  # MINUTES
    lows: list[float]
    volumes: list[float]  # base units


class SimulatedSource:
    """The simulated :class:`~burency_trading.service.sources.port.MarketDataSource`.

    ``now_ms`` is the clock (milliseconds since the epoch); ``anchor_ms`` the instant
    whose UTC day starts at each market's ``start_price`` (default: today, by
    ``now_ms``). ``history_days`` bounds how far back candles go."""

    name = "simulated"

    def __init__(
        self,
        markets: list[SimulatedMarket],
        *,
        seed: int = 16,
        now_ms: Callable[[], int],
        anchor_ms: int | None = None,
        history_days: int = 60,
        cache_days: int = 64,
    ) -> None:
        self.markets = {m.symbol: m for m in markets}
        self.seed = seed
        self._now_ms = now_ms
        self.anchor_day = (now_ms() if anchor_ms is None else anchor_ms) // DAY_MS
        self.history_days = history_days
        self._cache_days = cache_days
        self._midnights: dict[tuple[str, int], float] = {}
        self._days: OrderedDict[tuple[str, int], _Day] = OrderedDict()
        self._seconds: tuple[tuple[str, int], list[float]] | None = None
        self._lock = threading.RLock()
        self._last_day: dict[str, tuple[int, Candle]] = {}

    # -- the port ---------------------------------------------------------------------

    async def fetch_ticker(self, symbol: str) -> Ticker:
        m = self._market(symbol)
        now = self._now_ms()
        last = self._price_at(symbol, now)
        minute_start = now // MINUTE_MS * MINUTE_MS
        bars = [self._completed_day(symbol, now), *self._minute_bars(symbol, minute_start, now + 1)]
        volume = sum((b.volume for b in bars), Decimal(0))
        quote_volume = sum((b.volume * b.close for b in bars), Decimal(0))
        half_spread = m.price_step * max(1, int(last * Decimal("0.0002") / m.price_step))
        return Ticker(
            symbol=symbol,
            last=last,
            bid=last - half_spread,
            ask=last + half_spread,
            high=max((b.high for b in bars), default=last),
            low=min((b.low for b in bars), default=last),
            base_volume=volume,
            quote_volume=self._round(quote_volume, m.price_step),
            timestamp_ms=now,
        )

    def _completed_day(self, symbol: str, now: int) -> Candle:
        """The completed minutes of the last 24 h as one candle (its ``close`` the volume
        weighted price, so ``volume * close`` is their quote volume); computed once a
        minute, so a poll costs the minute in progress only."""
        minute = now // MINUTE_MS
        cached = self._last_day.get(symbol)
        if cached is not None and cached[0] == minute:
            return cached[1]
        bars = self._minute_bars(symbol, now - DAY_MS, minute * MINUTE_MS)
        volume = sum((b.volume for b in bars), Decimal(0))
        quote = sum((b.volume * b.close for b in bars), Decimal(0))
        first = bars[0] if bars else None
        merged = Candle(
            open_time_ms=first.open_time_ms if first else minute * MINUTE_MS,
            open=first.open if first else Decimal(0),
            high=max((b.high for b in bars), default=Decimal(0)),
            low=min((b.low for b in bars), default=Decimal("Infinity")),
            close=quote / volume if volume else Decimal(0),
            volume=volume,
        )
        self._last_day[symbol] = (minute, merged)
        return merged

    async def fetch_order_book(self, symbol: str, limit: int = 20) -> OrderBookSnapshot:
        m = self._market(symbol)
        now = self._now_ms()
        mid = self._price_at(symbol, now)
        rng = self._rng(symbol, "book", now // 1000)
        step = max(m.price_step, self._round(mid * Decimal("0.0002"), m.price_step))
        typical = m.daily_volume / Decimal(MINUTES * 4)
        bids: list[BookLevel] = []
        asks: list[BookLevel] = []
        for i in range(1, limit + 1):
            for side, sign in ((bids, -1), (asks, 1)):
                amount = typical * Decimal(str(round(0.2 + rng.random() * 1.6, 4)))
                side.append(
                    BookLevel(
                        price=mid + sign * step * i,
                        amount=max(m.amount_step, self._round(amount, m.amount_step)),
                    )
                )
        return OrderBookSnapshot(symbol, tuple(bids), tuple(asks), now)

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str = "1m", since_ms: int | None = None, limit: int = 100
    ) -> list[Candle]:
        self._market(symbol)
        step_ms = TIMEFRAME_SECONDS.get(timeframe, 0) * 1000
        if not step_ms:
            raise SourceExchangeError(f"unknown timeframe {timeframe!r}")
        now = self._now_ms()
        # days of minutes are built on a thread: a month of 1 d candles takes ~0.5 s
        return await asyncio.to_thread(self._candles, symbol, step_ms, now, since_ms, limit)

    def _candles(
        self, symbol: str, step_ms: int, now: int, since_ms: int | None, limit: int
    ) -> list[Candle]:
        oldest = (self.anchor_day - self.history_days) * DAY_MS
        if since_ms is None:
            start = (now // step_ms - (limit - 1)) * step_ms
        else:
            start = -(-since_ms // step_ms) * step_ms
        start = max(start, -(-oldest // step_ms) * step_ms)
        candles: list[Candle] = []
        t = start
        while t <= now and len(candles) < limit:
            bars = self._minute_bars(symbol, t, min(t + step_ms, now + 1))
            if bars:
                candles.append(_merge(t, bars))
            t += step_ms
        return candles

    async def fetch_trades(
        self, symbol: str, since_ms: int | None = None, limit: int = 100
    ) -> list[PublicTrade]:
        m = self._market(symbol)
        now_s = self._now_ms() // 1000
        every = 2  # one trade every two seconds
        first = now_s - every * (limit - 1) if since_ms is None else -(-since_ms // 1000)
        first = -(-first // every) * every
        trades = []
        for second in range(first, now_s + 1, every):
            rng = self._rng(symbol, "trade", second)
            price = self._price_at(symbol, second * 1000)
            before = self._price_at(symbol, (second - 1) * 1000)
            typical = m.daily_volume / Decimal(MINUTES * 30)
            amount = typical * Decimal(str(round(math.exp(rng.gauss(0, 0.8)), 4)))
            trades.append(
                PublicTrade(
                    trade_id=str(second),
                    timestamp_ms=second * 1000,
                    price=price,
                    amount=max(m.amount_step, self._round(amount, m.amount_step)),
                    side="buy" if price >= before else "sell",
                )
            )
        return trades[-limit:]

    async def close(self) -> None:
        self._days.clear()
        self._midnights.clear()

    # -- the walk ---------------------------------------------------------------------

    def _market(self, symbol: str) -> SimulatedMarket:
        market = self.markets.get(symbol)
        if market is None:
            raise SourceExchangeError(f"the simulated venue has no market {symbol}")
        return market

    def _rng(self, symbol: str, layer: str, index: int) -> random.Random:
        key = f"{self.seed}|{symbol}|{layer}|{index}".encode()
        seed = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")
        return random.Random(seed)  # noqa: S311 - a simulation, not a secret

    def _sigma_day(self, symbol: str) -> float:
        return self.markets[symbol].volatility / math.sqrt(YEAR_DAYS)

    def _midnight(self, symbol: str, day: int) -> float:
        """The log price (relative to the start price) at 00:00 UTC of ``day``."""
        cached = self._midnights.get((symbol, day))
        if cached is not None:
            return cached
        value, d = 0.0, self.anchor_day
        sigma = self._sigma_day(symbol)
        step = 1 if day >= d else -1
        while d != day:  # from the nearest cached midnight would be faster: days are few
            known = self._midnights.get((symbol, d + step))
            if known is not None:
                value, d = known, d + step
                continue
            move = sigma * self._rng(symbol, "day", min(d, d + step)).gauss(0.0, 1.0)
            value += move * step
            d += step
            self._midnights[(symbol, d)] = value
        self._midnights[(symbol, day)] = value
        return value

    def _day(self, symbol: str, day: int) -> _Day:
        key = (symbol, day)
        with self._lock:  # fetch_ohlcv builds days on a worker thread
            found = self._days.get(key)
            if found is not None:
                self._days.move_to_end(key)
                return found
            built = self._build_day(symbol, day)
            self._days[key] = built
            if len(self._days) > self._cache_days:
                self._days.popitem(last=False)
            return built

    def _build_day(self, symbol: str, day: int) -> _Day:
        start, end = self._midnight(symbol, day), self._midnight(symbol, day + 1)
        rng = self._rng(symbol, "minutes", day)
        sigma = self._sigma_day(symbol) / math.sqrt(MINUTES)
        walk = [0.0]
        for _ in range(MINUTES):
            walk.append(walk[-1] + sigma * rng.gauss(0.0, 1.0))
        drift = end - start - walk[-1]
        closes = [start + w + drift * i / MINUTES for i, w in enumerate(walk)]
        highs, lows, volumes = [], [], []
        per_minute = float(self.markets[symbol].daily_volume) / MINUTES
        for i in range(MINUTES):
            o, c = closes[i], closes[i + 1]
            # about where a bridge of 60 steps peaks (mean excursion ~0.63 sigma), so the
            # live price is seldom held at a wick
            highs.append(max(o, c) + (0.4 + abs(rng.gauss(0.0, 1.0))) * sigma)
            lows.append(min(o, c) - (0.4 + abs(rng.gauss(0.0, 1.0))) * sigma)
            activity = 0.5 + abs(c - o) / sigma
            volumes.append(per_minute * activity * math.exp(rng.gauss(0.0, 0.4) - 0.08))
        return _Day(closes, highs, lows, volumes)

    def _log_price_at(self, symbol: str, ms: int) -> float:
        """The live price: a 60-step bridge inside the minute, clamped to its wicks."""
        day, minute = divmod(ms // MINUTE_MS, MINUTES)
        d = self._day(symbol, day)
        second = (ms // 1000) % 60
        o, c = d.closes[minute], d.closes[minute + 1]
        if second == 0:
            return o
        walk = self._second_walk(symbol, ms // MINUTE_MS)
        point = o + walk[second] + (c - o - walk[-1]) * second / 60
        return min(max(point, d.lows[minute]), d.highs[minute])

    def _second_walk(self, symbol: str, minute_index: int) -> list[float]:
        key = (symbol, minute_index)
        if self._seconds is not None and self._seconds[0] == key:
            return self._seconds[1]
        rng = self._rng(symbol, "seconds", minute_index)
        sigma = self._sigma_day(symbol) / math.sqrt(MINUTES * 60)
        walk = [0.0]
        for _ in range(60):
            walk.append(walk[-1] + sigma * rng.gauss(0.0, 1.0))
        self._seconds = (key, walk)
        return walk

    def _price_at(self, symbol: str, ms: int) -> Decimal:
        m = self.markets[symbol]
        return self._price(m, self._log_price_at(symbol, ms))

    def _price(self, m: SimulatedMarket, log_price: float) -> Decimal:
        value = m.start_price * Decimal(log_price).exp()  # the walk is in log space
        return max(m.price_step, self._round(value, m.price_step))

    def _minute_bars(self, symbol: str, start_ms: int, end_ms: int) -> list[Candle]:
        """The 1 m candles opening in ``[start_ms, end_ms)``; the current one is partial
        (closes at the live price, its high/low what the live price reached so far)."""
        m = self.markets[symbol]
        now = self._now_ms()
        bars = []
        first = -(-start_ms // MINUTE_MS)
        last = min(-(-end_ms // MINUTE_MS), now // MINUTE_MS + 1)
        oldest = (self.anchor_day - self.history_days) * MINUTES
        for index in range(max(first, oldest), last):
            day, minute = divmod(index, MINUTES)
            d = self._day(symbol, day)
            volume = d.volumes[minute]
            if index == now // MINUTE_MS:  # the minute in progress
                seconds = [
                    self._log_price_at(symbol, index * MINUTE_MS + s * 1000)
                    for s in range((now // 1000) % 60 + 1)
                ]
                high, low, close = max(seconds), min(seconds), seconds[-1]
                volume *= len(seconds) / 60
            else:
                high, low, close = d.highs[minute], d.lows[minute], d.closes[minute + 1]
            bars.append(
                Candle(
                    open_time_ms=index * MINUTE_MS,
                    open=self._price(m, d.closes[minute]),
                    high=self._price(m, high),
                    low=self._price(m, low),
                    close=self._price(m, close),
                    volume=self._round(Decimal(volume), m.amount_step),
                )
            )
        return bars

    @staticmethod
    def _round(value: Decimal, step: Decimal, mode: str = ROUND_HALF_EVEN) -> Decimal:
        return (value / step).to_integral_value(rounding=mode) * step


def _merge(open_time_ms: int, bars: list[Candle]) -> Candle:
    return Candle(
        open_time_ms=open_time_ms,
        open=bars[0].open,
        high=max(b.high for b in bars),
        low=min(b.low for b in bars),
        close=bars[-1].close,
        volume=sum((b.volume for b in bars), Decimal(0)),
    )
