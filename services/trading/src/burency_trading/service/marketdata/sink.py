"""The market-data sink: the engine's results in, public streams and private updates out.

The runner hands it every :class:`CommandResult` in seq order (``handle``); it updates
:class:`~.state.MarketData` and wakes its tick task, which publishes through the
:class:`~burency_common.realtime.RealtimePublisher`:

* every 100 ms while something changed: ``@depth@100ms`` diffs, ``@trade``,
  ``@bookTicker``, ``@kline_<interval>`` and the users' private messages;
* every 1 s while something changed: ``@depth`` (1000 ms) diffs and ``@ticker``, and the
  changed candles are written to the store.

Each stream gets at most one message per tick (a tick's changes merged per market); an
idle market costs nothing (the task waits on an event, no timer runs).

Start-up without the journal: :meth:`prime` takes the books from the engine itself (as
of a seq, see ``EngineRunner.attach_sink``), then :meth:`recover` reads the candles and
the trades up to that seq from SQL (once the projection has them); results arriving
meanwhile wait in memory and are applied after.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from burency_common.logging import get_logger
from burency_common.realtime import ListenerDirectory, RealtimePublisher
from burency_trading.domain.marketdata.candles import INTERVALS, Candle, TradeTick
from burency_trading.domain.marketdata.prime import EnginePrime
from burency_trading.domain.marketdata.ticker import WINDOW_MINUTES
from burency_trading.service.marketdata.publishers import NullPublisher
from burency_trading.service.marketdata.state import MarketData
from burency_trading.service.ports import CommandResult

__all__ = ["CandleHistory", "MarketDataSink"]

_log = get_logger("burency.trading.marketdata")
_MINUTE_US = INTERVALS["1m"]
_REPLAY_CHUNK = 10_000
_SLICE = 500  # results applied between two yields to the loop (~3-15 ms of CPU)


class CandleHistory(Protocol):
    """The candle store and the trades it recovers from (``adapters/candles.py``)."""

    async def save(self, changed: Sequence[Candle]) -> None: ...

    async def page(
        self, symbol: str, interval: str, *, start: int | None, end: int | None, limit: int
    ) -> list[Candle]: ...

    async def latest(self, symbol: str, interval: str) -> Candle | None: ...

    async def since(self, symbol: str, interval: str, start: int) -> list[Candle]: ...

    async def watermark(self, symbol: str) -> int: ...

    async def trades_after(
        self, symbol: str, after_id: int, *, up_to_seq: int, limit: int
    ) -> list[TradeTick]: ...

    async def recent_trades(
        self, symbol: str, *, up_to_seq: int, limit: int
    ) -> list[TradeTick]: ...


def _wall_us() -> int:
    return time.time_ns() // 1000


class MarketDataSink:
    """An ``EventSink`` (name ``marketdata``) that publishes market data."""

    name = "marketdata"

    def __init__(
        self,
        *,
        publisher: RealtimePublisher | None = None,
        store: CandleHistory | None = None,
        clock_us: Callable[[], int] = _wall_us,
        fast_seconds: float = 0.1,
        slow_seconds: float = 1.0,
        recent_trades: int = 1000,
    ) -> None:
        self.publisher: RealtimePublisher = publisher or NullPublisher()
        private = not isinstance(self.publisher, NullPublisher)
        # a publisher that knows who has a socket (embedded mode) spares the reports of
        # users nobody would deliver them to: most REST-only bots
        listening = (
            self.publisher.has_listener if isinstance(self.publisher, ListenerDirectory) else None
        )
        self.data = MarketData(recent_trades=recent_trades, private=private, listening=listening)
        self.store = store
        self._clock = clock_us
        self._fast = fast_seconds
        self._slow = slow_seconds
        self._recent = recent_trades
        self._ready = True
        self._backlog: list[CommandResult] = []
        self._unsaved: dict[tuple[str, str, int], Candle] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_slow = -1e9
        self.published = 0  # messages handed to the publisher (a figure for health/bench)
        self.ticks = 0  # ticks run (each publishes at most one message per stream)
        self.idle = True  # waiting for a change: no timer runs

    # -- EventSink ----------------------------------------------------------------------

    async def last_seq(self) -> int:
        return self.data.seq

    async def handle(self, results: Sequence[CommandResult]) -> None:
        if not self._ready:
            self._backlog.extend(results)
            return
        now_ms = self._clock() // 1000
        for start in range(0, len(results), _SLICE):
            if start:
                await asyncio.sleep(0)  # a long batch must not hold the loop (the API) up
            self.data.apply(results[start : start + _SLICE], now_ms)
        self._wake.set()

    # -- start-up -----------------------------------------------------------------------

    def prime(self, primed: EnginePrime) -> None:
        """The books as of ``primed.seq`` (on the loop, before any later result)."""
        self.data.prime(primed)
        self._ready = False

    async def recover(
        self,
        projection_seq: Callable[[], Awaitable[int]] | None = None,
        *,
        wait_seconds: float = 60.0,
    ) -> None:
        """Candles, 24 h tickers and recent trades from SQL up to the primed seq, then
        the results that arrived meanwhile. ``projection_seq`` says how far the SQL
        trades go: waited for (up to ``wait_seconds``) until it reaches the primed seq."""
        target = self.data.seq
        try:
            if self.store is not None:
                await self._wait_projection(projection_seq, target, wait_seconds)
                for market in sorted(self.data.specs):
                    await self._recover_market(market, target)
        finally:
            self.data.take_unpublished()
            self._ready = True
            backlog, self._backlog = self._backlog, []
            self.data.apply(backlog, self._clock() // 1000)
            self._wake.set()

    async def _wait_projection(
        self, projection_seq: Callable[[], Awaitable[int]] | None, target: int, wait: float
    ) -> None:
        if projection_seq is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while (seq := await projection_seq()) < target:
            if loop.time() >= deadline:
                _log.warning("trading.marketdata.projection_behind", seq=seq, target=target)
                return
            await asyncio.sleep(0.05)  # the projection catches up on the same loop

    async def _recover_market(self, market: str, up_to: int) -> None:
        store = self.store
        assert store is not None
        now = self._clock()
        window = now - now % _MINUTE_US - (WINDOW_MINUTES - 1) * _MINUTE_US
        self.data.restore_candles(await store.since(market, "1m", window))
        for interval in INTERVALS:
            latest = await store.latest(market, interval)
            if latest is not None:
                self.data.candles.restore(latest)
        after = await store.watermark(market)
        while True:  # trades the stored candles miss (the last second before a stop)
            chunk = await store.trades_after(market, after, up_to_seq=up_to, limit=_REPLAY_CHUNK)
            for tick in chunk:
                self.data.candles.add(tick)
                self.data.tickers.add(tick)
            self._remember(self.data.candles.take_changed())
            if len(chunk) < _REPLAY_CHUNK:
                break
            after = chunk[-1].trade_id
        for tick in await store.recent_trades(market, up_to_seq=up_to, limit=self._recent):
            self.data.recent.add(tick)
            self.data.tickers.set_last(market, tick.trade_id, tick.price)

    # -- the tick task ------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="trading-marketdata")

    async def close(self) -> None:
        """Stop the ticks; publish and save what is pending."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._tick(force_slow=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self.idle = True
            await self._wake.wait()
            self.idle = False
            self._wake.clear()
            while self.data.fast_dirty or self.data.slow_dirty or self._unsaved:
                await self._tick(now=loop.time())
                await asyncio.sleep(self._fast)  # the 100 ms tick, only while busy

    async def _tick(self, *, now: float | None = None, force_slow: bool = False) -> None:
        now_ms = self._clock() // 1000
        self.ticks += 1
        try:
            publications, changed, users = self.data.take_fast(now_ms)
            self._remember(changed)
            slow = force_slow or now is None or now - self._last_slow >= self._slow
            if slow:
                self._last_slow = now if now is not None else self._last_slow
                publications.extend(self.data.take_slow(now_ms))
            for stream, payload in publications:
                await self.publisher.publish_stream(stream, payload)
            for user, event, payload in users:
                await self.publisher.publish_user(user, event, payload)
            self.published += len(publications) + len(users)
        except Exception:  # best effort: a client that missed a message resyncs
            _log.exception("trading.marketdata.publish_failed")
            slow = False
        if (slow or force_slow) and self._unsaved:
            await self._save()

    def _remember(self, changed: Sequence[Candle]) -> None:
        for candle in changed:
            self._unsaved[(candle.market, candle.interval, candle.open_time)] = candle

    async def _save(self) -> None:
        if self.store is None:
            self._unsaved.clear()
            return
        pending = list(self._unsaved.values())
        self._unsaved.clear()
        try:
            await self.store.save(pending)
        except Exception:
            _log.exception("trading.marketdata.candles_not_saved")
            for candle in pending:  # try again at the next slow tick
                self._unsaved.setdefault((candle.market, candle.interval, candle.open_time), candle)

    # -- reads --------------------------------------------------------------------------

    def depth_snapshot(self, symbol: str, limit: int = 1000) -> dict[str, Any] | None:
        """``{lastUpdateId, bids, asks}`` of ``symbol`` (``BTC/AED`` or ``BTCAED``) as
        REST ``/v1/depth`` answers it: what a subscriber to a depth stream starts from.
        None for an unknown symbol."""
        market = self.data.market(symbol)
        return None if market is None else self.data.depth(market, limit)
