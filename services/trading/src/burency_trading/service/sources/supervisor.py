"""Reference prices: poll each market's source on an interval, feed the engine, keep health.

One task for every market (:meth:`ReferencePrices.run`): it sleeps until the next
market is due (idle cost: one timer), polls the due markets' tickers concurrently and
keeps, per market, the last price, when it came, consecutive and total errors and the
last error. A market whose source has not answered for ``stale_after`` intervals is
**stale**; the next good answer clears it. A failing source is polled again after an
exponential backoff (the interval doubled per consecutive error, capped), so a venue
that is down is not hammered; nothing here raises out of the loop.

Each new price goes to the engine as ``SetReferencePrice`` (ticks on the market's grid)
when it moved at least ``min_change_bps`` from the last one sent, so price bands work on
a market that has not traded yet without journaling a command per poll.

Others read :meth:`reference` (price, time, staleness) and :meth:`reference_klines` (a
reference chart for a market without trades of its own).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from burency_common.logging import get_logger
from burency_common.market_math import MarketGrid
from burency_trading.domain.model import OrderRejected, SetReferencePrice
from burency_trading.service.context import EngineAccess
from burency_trading.service.sources.port import (
    TIMEFRAME_SECONDS,
    Candle,
    MarketDataSource,
    SourceError,
    price_to_ticks,
)

__all__ = ["MarketSourceStatus", "Reference", "ReferencePrices", "SourceFactory"]

SourceFactory = Callable[[str], MarketDataSource]
"""Builds a source from its name (``"simulated"``, ``"ccxt:binance"``); ValueError for a
name it cannot build."""

_log = get_logger("burency.trading.sources")


@dataclass(frozen=True, slots=True)
class Reference:
    """A market's reference price as last received (``stale``: too old to trust)."""

    symbol: str
    price: Decimal
    updated_ms: int
    stale: bool
    source: str


@dataclass(frozen=True, slots=True)
class MarketSourceStatus:
    """One market's source health, as the admin API shows it."""

    symbol: str
    source: str
    price: Decimal | None
    updated_ms: int | None
    stale: bool
    consecutive_errors: int
    errors: int
    last_error: str | None
    last_error_ms: int | None
    engine_price_ticks: int | None  # the last SetReferencePrice the engine took


@dataclass(slots=True)
class _Market:
    source: str
    price: Decimal | None = None
    updated_ms: int | None = None
    consecutive_errors: int = 0
    errors: int = 0
    last_error: str | None = None
    last_error_ms: int | None = None
    sent_ticks: int | None = None
    due: float = 0.0  # loop time of the next poll


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class ReferencePrices:
    """The reference-price supervisor. ``markets``: symbol -> source name at start;
    ``factory`` builds each named source once (shared by the markets that use it)."""

    def __init__(
        self,
        *,
        engine: EngineAccess,
        grids: Mapping[str, MarketGrid],
        markets: Mapping[str, str],
        factory: SourceFactory,
        interval: float = 2.0,
        stale_after: int = 5,
        backoff_max: float = 60.0,
        min_change_bps: int = 10,
        timeout: float = 10.0,
        now_ms: Callable[[], int] = _wall_ms,
        klines_ttl: float | None = None,
    ) -> None:
        unknown = sorted(set(markets) - set(grids))
        if unknown:
            raise ValueError(f"no market grid for {', '.join(unknown)}")
        self.engine = engine
        self.grids = dict(grids)
        self.interval = interval
        self.stale_after = stale_after
        self.backoff_max = backoff_max
        self.min_change_bps = min_change_bps
        self.timeout = timeout
        self._now_ms = now_ms
        self._factory = factory
        self._sources: dict[str, MarketDataSource] = {}
        self._markets = {symbol: _Market(source=name) for symbol, name in markets.items()}
        for name in set(markets.values()):
            self.source(name)  # a bad name fails at start-up, not at the first poll
        self._wake = asyncio.Event()
        self._klines: dict[tuple[str, str, int, int | None], tuple[float, list[Candle]]] = {}
        self._klines_ttl = interval if klines_ttl is None else klines_ttl

    # -- reads ------------------------------------------------------------------------

    def symbols(self) -> list[str]:
        return sorted(self._markets)

    def reference(self, symbol: str) -> Reference | None:
        """The last reference price of ``symbol`` (None: none received yet)."""
        m = self._markets.get(symbol)
        if m is None or m.price is None or m.updated_ms is None:
            return None
        return Reference(symbol, m.price, m.updated_ms, self._stale(m), m.source)

    def reference_price(self, symbol: str) -> Decimal | None:
        """The last price, or None when there is none or it is stale."""
        ref = self.reference(symbol)
        return None if ref is None or ref.stale else ref.price

    def status(self) -> list[MarketSourceStatus]:
        return [
            MarketSourceStatus(
                symbol=symbol,
                source=m.source,
                price=m.price,
                updated_ms=m.updated_ms,
                stale=self._stale(m),
                consecutive_errors=m.consecutive_errors,
                errors=m.errors,
                last_error=m.last_error,
                last_error_ms=m.last_error_ms,
                engine_price_ticks=m.sent_ticks,
            )
            for symbol, m in sorted(self._markets.items())
        ]

    async def reference_klines(
        self, symbol: str, interval: str = "1m", limit: int = 100, since_ms: int | None = None
    ) -> list[Candle]:
        """Candles of the market's reference source (cached for one poll interval).

        Raises ``KeyError`` for a market without a source, ``ValueError`` for an interval
        Burency does not serve, :class:`SourceError` when the source cannot answer."""
        m = self._markets[symbol]
        if interval not in TIMEFRAME_SECONDS:
            raise ValueError(f"unknown interval {interval!r}")
        key = (symbol, interval, limit, since_ms)
        loop = asyncio.get_running_loop()
        cached = self._klines.get(key)
        if cached is not None and loop.time() - cached[0] < self._klines_ttl:
            return cached[1]
        source = self.source(m.source)
        candles = await asyncio.wait_for(
            source.fetch_ohlcv(symbol, interval, since_ms, limit), self.timeout
        )
        if len(self._klines) > 256:
            self._klines.clear()
        self._klines[key] = (loop.time(), candles)
        return candles

    def _stale(self, m: _Market) -> bool:
        if m.updated_ms is None:
            return True
        return self._now_ms() - m.updated_ms > self.stale_after * self.interval * 1000

    # -- changes ----------------------------------------------------------------------

    def switch(self, symbol: str, source: str) -> MarketSourceStatus:
        """Use ``source`` for ``symbol`` from now on (KeyError: unknown market;
        ValueError: a source that cannot be built). Its health starts afresh."""
        if symbol not in self._markets:
            raise KeyError(symbol)
        self.source(source)
        sent = self._markets[symbol].sent_ticks
        self._markets[symbol] = _Market(source=source, sent_ticks=sent)
        self._klines = {k: v for k, v in self._klines.items() if k[0] != symbol}
        self._wake.set()
        return next(s for s in self.status() if s.symbol == symbol)

    def source(self, name: str) -> MarketDataSource:
        """The source named ``name`` (built on first use; ValueError if it cannot be)."""
        source = self._sources.get(name)
        if source is None:
            source = self._sources[name] = self._factory(name)
        return source

    # -- the loop ---------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set (a platform background loop)."""
        loop = asyncio.get_running_loop()
        waker = asyncio.create_task(self._wake_on(stop))
        try:
            while not stop.is_set():
                now = loop.time()
                due = [s for s, m in self._markets.items() if m.due <= now]
                if due:
                    await asyncio.gather(*(self.poll(s) for s in due))
                if stop.is_set():
                    break
                pause = min((m.due for m in self._markets.values()), default=3600.0)
                pause -= loop.time()
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=max(pause, 0.001))
        finally:
            waker.cancel()

    async def _wake_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def poll(self, symbol: str) -> None:
        """Ask ``symbol``'s source once; never raises (errors are counted)."""
        m = self._markets[symbol]
        loop = asyncio.get_running_loop()
        name = m.source
        try:
            ticker = await asyncio.wait_for(self.source(name).fetch_ticker(symbol), self.timeout)
        except (SourceError, TimeoutError) as exc:
            self._failed(symbol, m, name, f"{type(exc).__name__}: {exc}"[:300], loop.time())
            return
        except Exception as exc:  # a source bug must not end the loop
            _log.exception("trading.source_failed", symbol=symbol, source=name)
            self._failed(symbol, m, name, f"{type(exc).__name__}", loop.time())
            return
        if self._markets.get(symbol) is not m:
            return  # switched to another source meanwhile
        if m.consecutive_errors:
            _log.info("trading.source_recovered", symbol=symbol, source=name,
                      after_errors=m.consecutive_errors)  # fmt: skip
        m.price, m.updated_ms, m.consecutive_errors = ticker.last, self._now_ms(), 0
        m.due = loop.time() + self.interval
        await self._feed(symbol, m, ticker.last)

    def _failed(self, symbol: str, m: _Market, name: str, error: str, now: float) -> None:
        if self._markets.get(symbol) is not m:
            return
        m.consecutive_errors += 1
        m.errors += 1
        m.last_error, m.last_error_ms = error, self._now_ms()
        delay = min(self.interval * 2 ** min(m.consecutive_errors - 1, 16), self.backoff_max)
        m.due = now + max(delay, self.interval)
        if m.consecutive_errors == 1 or m.consecutive_errors % 20 == 0:
            _log.warning("trading.source_error", symbol=symbol, source=name, error=error,
                         consecutive=m.consecutive_errors)  # fmt: skip

    async def _feed(self, symbol: str, m: _Market, price: Decimal) -> None:
        """Send the engine the new reference when it moved enough (never raises)."""
        ticks = price_to_ticks(self.grids[symbol], price)
        sent = m.sent_ticks
        if ticks <= 0 or (sent and abs(ticks - sent) * 10_000 < self.min_change_bps * sent):
            return
        try:
            result = await self.engine.submit(SetReferencePrice(market=symbol, price=ticks))
        except Exception as exc:  # busy or stopping engine: try again at the next poll
            _log.warning("trading.reference_not_sent", symbol=symbol, error=type(exc).__name__)
            return
        refused = [e for e in result.events if isinstance(e, OrderRejected)]
        if refused:
            _log.warning("trading.reference_refused", symbol=symbol, reason=str(refused[0].reason))
            return
        m.sent_ticks = ticks

    async def close(self) -> None:
        sources, self._sources = self._sources, {}
        for source in sources.values():
            try:
                await source.close()
            except Exception:
                _log.exception("trading.source_close_failed", source=source.name)
