"""The market-data state of the service: the pure domain parts, fed with results, and
what changed since the last publication of each stream.

:class:`MarketData` is what the REST routes read (from memory) and what the sink's
ticks flush. It runs on the asyncio loop only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from burency_trading.domain.marketdata.book import BookState, MarketBook
from burency_trading.domain.marketdata.candles import (
    INTERVALS,
    Candle,
    CandleBook,
    RecentTrades,
    TradeTick,
)
from burency_trading.domain.marketdata.diffs import DepthDiffs
from burency_trading.domain.marketdata.prime import EnginePrime
from burency_trading.domain.marketdata.ticker import RollingTickers
from burency_trading.domain.model import MarketChanged, MarketSpec, Side, Trade
from burency_trading.service.marketdata.payloads import Formats, stream_symbol
from burency_trading.service.marketdata.private import UserMessage, everyone, user_messages
from burency_trading.service.ports import CommandResult

__all__ = ["MarketData", "Publication"]

Publication = tuple[str, Any]  # (stream name, payload)


class MarketData:
    """Books, trades, candles and tickers of every market, plus pending publications."""

    def __init__(
        self,
        *,
        recent_trades: int = 1000,
        private: bool = True,
        listening: Callable[[str], bool] | None = None,
    ) -> None:
        self.fast = DepthDiffs()  # @depth@100ms
        self.slow = DepthDiffs()  # @depth (1000 ms)
        self.books = BookState([self.fast, self.slow])
        self.recent = RecentTrades(recent_trades)
        self.candles = CandleBook()
        self.tickers = RollingTickers()
        self.formats: dict[str, Formats] = {}
        self.scales: dict[str, int] = {}
        self.specs: dict[str, MarketSpec] = {}
        self._aliases: dict[str, str] = {}
        self._last_ts: dict[str, int] = {}  # market -> ts (µs) of its last book change
        self._trades: dict[str, list[TradeTick]] = {}  # since the last fast tick
        self._ticker_dirty: set[str] = set()
        self._book_touched: set[str] = set()
        self._best_sent: dict[str, tuple[Any, Any]] = {}
        self._users: list[UserMessage] = []
        self.private = private  # build the users' messages (not when nobody listens)
        self._listening = listening or everyone  # whose messages could reach a socket

    @property
    def seq(self) -> int:
        return self.books.seq

    # -- markets ------------------------------------------------------------------------

    def add_market(self, spec: MarketSpec) -> None:
        self.specs[spec.symbol] = spec
        self.formats[spec.symbol] = Formats(spec)
        self.scales[spec.base] = spec.base_scale
        self.scales[spec.quote] = spec.quote_scale
        self._aliases[spec.symbol.replace("/", "").upper()] = spec.symbol
        self.books.book(spec.symbol)

    def market(self, symbol: str) -> str | None:
        """The market named ``symbol`` (``BTC/AED``, ``BTCAED`` or ``btcaed``), or None."""
        if symbol in self.specs:
            return symbol
        return self._aliases.get(symbol.replace("/", "").upper())

    def book(self, market: str) -> MarketBook | None:
        return self.books.books.get(market)

    # -- feeding ------------------------------------------------------------------------

    def prime(self, primed: EnginePrime) -> None:
        for spec in primed.markets:
            self.add_market(spec)
        self.books.prime(primed.seq, primed.orders, [m.symbol for m in primed.markets])
        for spec in primed.markets:
            self.fast.start(spec.symbol, primed.seq)
            self.slow.start(spec.symbol, primed.seq)

    def apply(self, results: Sequence[CommandResult], now_ms: int) -> None:
        """Apply results in seq order (those at or below the state's seq are skipped)."""
        for result in results:
            if result.seq <= self.books.seq:
                continue
            self._apply_one(result, now_ms)

    def _apply_one(self, result: CommandResult, now_ms: int) -> None:
        events = result.events
        for ev in events:
            if type(ev) is MarketChanged:
                self.add_market(ev.spec)
        if self.private:
            self._users.extend(
                user_messages(
                    result,
                    self.books.orders,
                    self.formats,
                    self.scales,
                    now_ms,
                    wanted=self._listening,
                )
            )
        books = self.books
        books.apply(result.seq, events)
        if books.touched:
            for market in books.touched:
                self._book_touched.add(market)
                self._last_ts[market] = result.ts
            books.touched.clear()
        for ev in events:
            if type(ev) is Trade:
                self.add_trade(_tick(ev))

    def add_trade(self, tick: TradeTick) -> None:
        self.recent.add(tick)
        self.candles.add(tick)
        self.tickers.add(tick)
        self._trades.setdefault(tick.market, []).append(tick)
        self._ticker_dirty.add(tick.market)

    # -- publications -------------------------------------------------------------------

    @property
    def fast_dirty(self) -> bool:
        return bool(
            self.fast.dirty or self._trades or self._book_touched or self._users
            or self.candles.dirty
        )  # fmt: skip

    @property
    def slow_dirty(self) -> bool:
        return bool(self.slow.dirty or self._ticker_dirty)

    def take_fast(self, now_ms: int) -> tuple[list[Publication], list[Candle], list[UserMessage]]:
        """The 100 ms tick: depth@100ms diffs, trades, bookTicker, klines, private
        messages. Returns the publications, the candles changed (to persist) and the
        user messages."""
        out: list[Publication] = []
        for diff in self.fast.flush(self.books):
            fmt = self.formats[diff.market]
            ts_ms = self._last_ts.get(diff.market, 0) // 1000
            name = f"{stream_symbol(diff.market)}@depth@100ms"
            out.append((name, fmt.depth_update(diff, now_ms, ts_ms)))
        for market, ticks in self._trades.items():
            fmt = self.formats[market]
            trades = [fmt.trade_event(t, now_ms) for t in ticks]
            out.append((f"{stream_symbol(market)}@trade", trades))
        self._trades = {}
        for market in sorted(self._book_touched):
            book = self.books.books[market]
            best = (book.best_bid(), book.best_ask())
            if self._best_sent.get(market) != best:
                self._best_sent[market] = best
                payload = self.formats[market].book_ticker_event(book, now_ms)
                out.append((f"{stream_symbol(market)}@bookTicker", payload))
        self._book_touched.clear()
        changed = self.candles.take_changed()
        for candle in changed:
            fmt = self.formats[candle.market]
            current = self.candles.current.get((candle.market, candle.interval))
            closed = current is not candle
            name = f"{stream_symbol(candle.market)}@kline_{candle.interval}"
            out.append((name, fmt.kline_event(candle, now_ms, closed)))
        users, self._users = self._users, []
        return out, changed, users

    def take_slow(self, now_ms: int) -> list[Publication]:
        """The 1 s tick: depth (1000 ms) diffs and 24 h tickers."""
        out: list[Publication] = []
        for diff in self.slow.flush(self.books):
            fmt = self.formats[diff.market]
            ts_ms = self._last_ts.get(diff.market, 0) // 1000
            out.append(
                (f"{stream_symbol(diff.market)}@depth", fmt.depth_update(diff, now_ms, ts_ms))
            )
        for market in sorted(self._ticker_dirty):
            payload = self.ticker_payload(market, now_ms * 1000, stream=True)
            out.append((f"{stream_symbol(market)}@ticker", payload))
        self._ticker_dirty.clear()
        return out

    # -- reads (REST and the gateway's snapshots) ----------------------------------------

    def depth(self, market: str, limit: int) -> dict[str, Any]:
        return self.formats[market].depth(self.book(market), limit)

    def ticker_payload(self, market: str, now_us: int, *, stream: bool = False) -> dict[str, Any]:
        fmt = self.formats[market]
        ticker = self.tickers.ticker(market, now_us)
        latest = self.recent.latest(market, 1)
        last_qty = latest[0].qty if latest else 0
        if stream:
            return fmt.ticker_event(ticker, self.book(market), last_qty, now_us // 1000)
        return fmt.ticker_rest(ticker, self.book(market), last_qty)

    def restore_candles(self, candles: Iterable[Candle]) -> None:
        for candle in candles:
            if candle.interval == "1m":
                self.tickers.restore(candle)
            self.candles.restore(candle)

    def take_unpublished(self) -> None:
        """Forget publications accumulated while recovering (start-up history)."""
        self.candles.take_changed()
        self._trades = {}
        self._ticker_dirty.clear()


def _tick(ev: Trade) -> TradeTick:
    return TradeTick(
        ev.trade_id, ev.market, ev.price, ev.qty, ev.quote_amount, ev.taker_side is Side.BUY,
        ev.ts,
    )  # fmt: skip


def intervals() -> Mapping[str, int]:
    return INTERVALS
