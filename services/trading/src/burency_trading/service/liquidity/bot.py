"""The liquidity bot: a market maker that trades through the engine like any user.

Every ``interval`` seconds, per market, the bot:

1. **collects its fills**: the filled quantity of each order it placed, from the engine
   for the orders still open (one query) and from the history (the SQL projection) for
   orders that ended without the bot cancelling them (filled by someone else). What it
   saw before is subtracted, so each lot is counted once;
2. **hedges** them (optional): the net lots it bought (sold) are sold (bought) on the
   external venue with a market order through CCXT. A hedge is tried once: after a
   network error the order may have reached the venue, and sending it again could
   double it; it is counted as failed and logged for a person to check;
3. **requotes** when there is nothing on the book, the reference moved by ``refresh``
   or more since the last quote, one of its orders filled, or the parameters changed:
   it cancels its orders in the market (``CancelAll``) and places the levels
   :func:`~burency_trading.service.liquidity.quoting.plan_quotes` computes (post-only
   limit orders) from its balances as the engine holds them. A refused order (balance,
   price band, halted market) is counted and shown, never raised.

A stale or missing reference pulls the bot's quotes (it never quotes a price it cannot
trust). Stopping the bot cancels its orders. The bot keeps what it placed in memory: at
its first cycle after a restart it cancels whatever orders of its user rest in the
book (fills of those orders while it was down are not hedged).

**Funding**: the bot quotes only what its spot balances allow; it moves no money
itself. ``ensure_funded`` (an async callable, retried every cycle until it succeeds) is
where the platform funds its wallet through the real banking path, so the cross-service
reconciliation keeps holding.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from burency_common.logging import get_logger
from burency_trading.domain.model import (
    CancelAll,
    OrderAccepted,
    OrderRejected,
    OrderStatus,
    OrderType,
    OrderUpdated,
    PlaceOrder,
    Side,
    TimeInForce,
)
from burency_trading.service.context import TradingContext
from burency_trading.service.liquidity.quoting import BotParams, Quote, plan_quotes
from burency_trading.service.ports import CommandResult
from burency_trading.service.sources.port import HedgeOrder, HedgeVenue, SourceError
from burency_trading.service.sources.supervisor import Reference

__all__ = ["BotMarketStatus", "LiquidityBot", "ReferenceReader"]

_log = get_logger("burency.trading.liquidity")
_ENDED = {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.EXPIRED, OrderStatus.REJECTED}


class ReferenceReader(Protocol):
    def reference(self, symbol: str) -> Reference | None: ...


@dataclass(slots=True)
class _Tracked:
    side: Side
    qty: int
    price: int
    seen: int = 0  # filled lots already counted


@dataclass(slots=True)
class _Market:
    orders: dict[int, _Tracked] = field(default_factory=dict)
    quoted_ref: Decimal | None = None
    dirty: bool = True  # requote at the next cycle
    fresh: bool = True  # orders of a previous run may rest in the book: cancel them first
    bought: int = 0  # lots filled on Burency
    sold: int = 0
    pending_hedge: int = 0  # lots: + bought (to sell on the venue), - sold
    hedged: int = 0  # lots sent to the venue (absolute)
    hedge_errors: int = 0
    rejections: int = 0
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class BotMarketStatus:
    symbol: str
    quoted_reference: Decimal | None
    bids: tuple[tuple[int, int], ...]  # (price ticks, lots) of its open bids
    asks: tuple[tuple[int, int], ...]
    bought_lots: int
    sold_lots: int
    hedged_lots: int
    hedge_errors: int
    rejections: int
    last_error: str | None


class LiquidityBot:
    """Quotes ``markets`` for ``user_id`` around ``prices``' references."""

    def __init__(
        self,
        ctx: TradingContext,
        prices: ReferenceReader,
        params: BotParams,
        *,
        markets: Sequence[str],
        user_id: str = "liquidity-bot",
        interval: float = 1.0,
        hedge: HedgeVenue | None = None,
        ensure_funded: Callable[[], Awaitable[None]] | None = None,
        running: bool = True,
    ) -> None:
        unknown = [s for s in markets if s not in ctx.specs]
        if unknown:
            raise ValueError(f"the liquidity bot cannot quote unknown markets {unknown}")
        self.ctx = ctx
        self.prices = prices
        self.params = params
        self.user_id = user_id
        self.interval = interval
        self.hedge = hedge
        self.running = running
        self.funded = ensure_funded is None
        self.hedges: list[HedgeOrder] = []  # the latest hedge orders the venue accepted
        self._ensure_funded = ensure_funded
        self._funding_failures = 0
        self._markets = {symbol: _Market() for symbol in markets}
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()  # one cycle at a time (loop, start/stop from admin)

    # -- control (admin) ------------------------------------------------------------

    async def start(self) -> None:
        self.running = True
        for m in self._markets.values():
            m.dirty = True
        self._wake.set()

    async def stop(self) -> None:
        """Stop quoting and cancel the bot's orders now."""
        self.running = False
        async with self._lock:
            for symbol in self._markets:
                try:
                    await self._cancel(symbol, self._markets[symbol])
                except Exception as exc:
                    self._markets[symbol].last_error = type(exc).__name__
                    _log.warning("trading.bot_cancel_failed", symbol=symbol, error=repr(exc))

    def update(self, params: BotParams) -> None:
        """New parameters: every market requotes at the next cycle (woken now)."""
        self.params = params
        for m in self._markets.values():
            m.dirty = True
        self._wake.set()

    def markets(self) -> list[str]:
        return sorted(self._markets)

    def status(self) -> list[BotMarketStatus]:
        out = []
        for symbol, m in sorted(self._markets.items()):
            mine = sorted(m.orders.values(), key=lambda t: -t.price)
            out.append(
                BotMarketStatus(
                    symbol=symbol,
                    quoted_reference=m.quoted_ref,
                    bids=tuple((t.price, t.qty - t.seen) for t in mine if t.side is Side.BUY),
                    asks=tuple(
                        (t.price, t.qty - t.seen) for t in reversed(mine) if t.side is Side.SELL
                    ),
                    bought_lots=m.bought,
                    sold_lots=m.sold,
                    hedged_lots=m.hedged,
                    hedge_errors=m.hedge_errors,
                    rejections=m.rejections,
                    last_error=m.last_error,
                )
            )
        return out

    # -- the loop ---------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Cycle every ``interval`` until ``stop`` (a platform background loop)."""
        waker = asyncio.create_task(self._wake_on(stop))
        try:
            while not stop.is_set():
                await self.cycle()
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
        finally:
            waker.cancel()

    async def _wake_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def cycle(self) -> None:
        """One pass over every market; never raises."""
        if not self.funded and self._ensure_funded is not None:
            try:
                await self._ensure_funded()
                self.funded = True
            except Exception as exc:
                self._funding_failures += 1
                if self._funding_failures == 1 or self._funding_failures % 60 == 0:
                    _log.warning("trading.bot_funding_failed", error=repr(exc),
                                 attempts=self._funding_failures)  # fmt: skip
                return
        async with self._lock:
            for symbol, m in self._markets.items():
                try:
                    await self.step(symbol)
                except Exception as exc:  # a busy engine, a bug: next cycle tries again
                    m.last_error = f"{type(exc).__name__}: {exc}"[:300]
                    _log.warning("trading.bot_step_failed", symbol=symbol, error=m.last_error)

    async def step(self, symbol: str) -> None:
        m = self._markets[symbol]
        await self._collect_fills(symbol, m)
        await self._hedge(symbol, m)
        ref = self.prices.reference(symbol)
        if not self.running or ref is None or ref.stale:
            await self._cancel(symbol, m)
            m.quoted_ref = None
            return
        if not self._needs_quote(m, ref.price):
            return
        await self._cancel(symbol, m)
        await self._quote(symbol, m, ref.price)

    def _needs_quote(self, m: _Market, ref: Decimal) -> bool:
        if m.dirty or m.quoted_ref is None:
            return True
        return abs(ref - m.quoted_ref) >= self.params.refresh * m.quoted_ref

    # -- fills ----------------------------------------------------------------------------

    def _filled(self, m: _Market, order_id: int, filled: int, ended: bool) -> None:
        tracked = m.orders.get(order_id)
        if tracked is None:
            return
        delta = filled - tracked.seen
        if delta > 0:
            tracked.seen = filled
            m.dirty = True
            if tracked.side is Side.BUY:
                m.bought += delta
                m.pending_hedge += delta
            else:
                m.sold += delta
                m.pending_hedge -= delta
        if ended:
            del m.orders[order_id]

    async def _collect_fills(self, symbol: str, m: _Market) -> None:
        if not m.orders:
            return
        user = self.user_id
        views = await self.ctx.engine.query(lambda e: e.open_orders(user, symbol))
        open_now = {v.order_id: v.filled_qty for v in views}
        for order_id in list(m.orders):
            if order_id in open_now:
                self._filled(m, order_id, open_now[order_id], ended=False)
        await self._settle_vanished(m, [oid for oid in m.orders if oid not in open_now])

    async def _settle_vanished(self, m: _Market, order_ids: list[int]) -> None:
        """Orders that ended without the bot seeing it: their last state from history."""
        if not order_ids:
            return
        await self.ctx.history_caught_up()
        for order_id in order_ids:
            row = await self.ctx.history.get_order(self.user_id, order_id)
            if row is None:  # not projected yet: look again next cycle
                continue
            self._filled(m, order_id, row.filled_qty, ended=True)

    # -- orders -----------------------------------------------------------------------

    async def _cancel(self, symbol: str, m: _Market) -> None:
        if not m.orders and not m.fresh:
            return
        m.fresh = False
        result = await self.ctx.engine.submit(CancelAll(user_id=self.user_id, market=symbol))
        touched = set()
        for event in result.events:
            if isinstance(event, OrderUpdated) and event.order_id in m.orders:
                touched.add(event.order_id)
                self._filled(m, event.order_id, event.filled_qty, event.status in _ENDED)
        await self._settle_vanished(m, [oid for oid in m.orders if oid not in touched])

    async def _quote(self, symbol: str, m: _Market, ref: Decimal) -> None:
        spec, grid, user = self.ctx.specs[symbol], self.ctx.grid(symbol), self.user_id
        balances, rates = await self.ctx.engine.query(
            lambda e: (e.balances(user), e.fee_rates(user, symbol))
        )
        base_avail, base_locked = balances.get(spec.base, (0, 0))
        quote_avail, _ = balances.get(spec.quote, (0, 0))
        position = Decimal(base_avail + base_locked).scaleb(-spec.base_scale)
        quotes = plan_quotes(
            grid=grid,
            ref=ref,
            params=self.params,
            level_size=self.params.level_sizes.get(symbol, Decimal(0)),
            position=position,
            limits=self.params.limits(spec.base),
            quote_available=quote_avail,
            base_available=base_avail,
            fee_ppm=max(rates),
        )
        results = await asyncio.gather(
            *(self.ctx.engine.submit(self._order(symbol, q)) for q in quotes),
            return_exceptions=True,
        )
        for quote, result in zip(quotes, results, strict=True):
            if isinstance(result, BaseException):
                m.rejections += 1
                m.last_error = type(result).__name__
                continue
            self._placed(m, quote, result)
        m.quoted_ref, m.dirty = ref, False

    def _order(self, symbol: str, q: Quote) -> PlaceOrder:
        return PlaceOrder(
            user_id=self.user_id,
            market=symbol,
            side=q.side,
            type=OrderType.LIMIT,
            tif=TimeInForce.GTC,
            qty=q.qty,
            price=q.price,
            post_only=True,
        )

    def _placed(self, m: _Market, quote: Quote, result: CommandResult) -> None:
        for event in result.events:
            if isinstance(event, OrderAccepted):
                m.orders[event.order_id] = _Tracked(quote.side, quote.qty, quote.price)
            elif isinstance(event, OrderUpdated):
                self._filled(m, event.order_id, event.filled_qty, event.status in _ENDED)
            elif isinstance(event, OrderRejected):
                m.rejections += 1
                m.last_error = str(event.reason)

    # -- hedging ----------------------------------------------------------------------

    async def _hedge(self, symbol: str, m: _Market) -> None:
        lots, m.pending_hedge = m.pending_hedge, 0
        if self.hedge is None or not lots:
            return
        amount = Decimal(abs(lots)) * Decimal(self.ctx.grid(symbol).lot_size)
        side = "sell" if lots > 0 else "buy"
        try:
            order = await self.hedge.create_order(symbol, side, amount)
        except SourceError as exc:
            m.hedge_errors += 1
            m.last_error = f"hedge {side} {amount}: {exc}"[:300]
            _log.error("trading.bot_hedge_failed", symbol=symbol, side=side,
                       amount=str(amount), error=str(exc))  # fmt: skip
            return
        m.hedged += abs(lots)
        self.hedges = [*self.hedges[-49:], order]
        _log.info("trading.bot_hedged", symbol=symbol, side=side, amount=str(amount),
                  venue_order=order.venue_order_id)  # fmt: skip
