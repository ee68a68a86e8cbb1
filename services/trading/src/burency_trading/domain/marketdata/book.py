"""The L2 order book of every market, derived from the engine's events (pure, no I/O).

The engine's events say enough to rebuild its books level by level:

* ``OrderAccepted`` of a LIMIT/GTC order: it rests at its price with its whole quantity
  (if it takes liquidity first, the fills below take it back out: a taker is booked, then
  reduced, within the same command, so the book is right once the command's events are
  all applied). A stop order waits, off the book, until ``StopTriggered``; a STOP_LIMIT
  that is GTC then rests like a limit. IOC/FOK/market orders never rest.
* ``OrderUpdated`` (after every fill of a maker, a taker's final state, an amend down, a
  cancel, an expiry) carries the order's absolute ``qty`` and ``filled_qty``: the resting
  quantity is ``qty - filled_qty`` while the status is open, 0 once it ended.

Per market, ``last_update_id`` is the journal seq of the last command that changed the
book. Every level change is also reported to the :class:`LevelListener` s (the depth
diff streams, :mod:`.diffs`).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from typing import Protocol

from ..model import (
    Event,
    OrderAccepted,
    OrderStatus,
    OrderType,
    OrderUpdated,
    OrderView,
    Side,
    StopTriggered,
    TimeInForce,
)

__all__ = ["BookState", "LevelListener", "Levels", "MarketBook", "OpenOrder"]

_OPEN = (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)
_BUY, _SELL = Side.BUY, Side.SELL  # module globals: an enum attribute read is slow
_RESTING_TYPES = (OrderType.LIMIT, OrderType.STOP_LIMIT)


class LevelListener(Protocol):
    def level_changed(self, market: str, is_bid: bool, price: int, before: int, seq: int) -> None:
        """A level of ``market`` is about to change from ``before`` lots (at ``seq``)."""


class OpenOrder:
    """An order the book knows: resting, waiting for its stop, or the command's taker.

    The static fields are kept for the private streams (an execution report names the
    order's side, type, price ...); ``resting`` says whether its rest is on the book."""

    __slots__ = (
        "client_order_id",
        "created_ts",
        "filled_qty",
        "filled_quote",
        "is_buy",
        "market",
        "order_id",
        "price",
        "qty",
        "quote_qty",
        "resting",
        "stop_price",
        "tif",
        "type",
        "user_id",
    )

    def __init__(  # noqa: PLR0917 - a plain record
        self,
        order_id: int,
        user_id: str,
        market: str,
        is_buy: bool,
        type_: OrderType,
        tif: TimeInForce,
        qty: int,
        price: int,
        quote_qty: int,
        stop_price: int,
        client_order_id: str,
        created_ts: int,
    ) -> None:
        self.order_id = order_id
        self.user_id = user_id
        self.market = market
        self.is_buy = is_buy
        self.type = type_
        self.tif = tif
        self.qty = qty
        self.price = price
        self.quote_qty = quote_qty
        self.stop_price = stop_price
        self.client_order_id = client_order_id
        self.created_ts = created_ts
        self.filled_qty = 0
        self.filled_quote = 0
        self.resting = False

    @property
    def side(self) -> Side:
        return _BUY if self.is_buy else _SELL

    @property
    def open_lots(self) -> int:
        return self.qty - self.filled_qty

    @property
    def may_rest(self) -> bool:
        """A GTC limit (or a triggered GTC stop-limit) rests what it does not fill."""
        return self.type in _RESTING_TYPES and self.tif is TimeInForce.GTC

    @classmethod
    def accepted(cls, ev: OrderAccepted) -> OpenOrder:
        return cls(
            ev.order_id, ev.user_id, ev.market, ev.side is _BUY, ev.type, ev.tif, ev.qty,
            ev.price, ev.quote_qty, ev.stop_price, ev.client_order_id, ev.ts,
        )  # fmt: skip

    @classmethod
    def from_view(cls, view: OrderView) -> OpenOrder:
        order = cls(
            view.order_id, view.user_id, view.market, view.side is _BUY, view.type,
            view.tif, view.qty, view.price, view.quote_qty, view.stop_price,
            view.client_order_id, view.created_ts,
        )  # fmt: skip
        order.filled_qty = view.filled_qty
        order.filled_quote = view.filled_quote
        order.resting = view.triggered and order.may_rest
        return order


class Levels:
    """One side's levels: ``qty[price]`` (open lots) and ``prices`` ascending."""

    __slots__ = ("prices", "qty")

    def __init__(self) -> None:
        self.qty: dict[int, int] = {}
        self.prices: list[int] = []

    def __len__(self) -> int:
        return len(self.prices)

    def get(self, price: int) -> int:
        return self.qty.get(price, 0)

    def set(self, price: int, lots: int) -> None:
        """Set a level's quantity (0 removes it)."""
        qty = self.qty
        if lots:
            if price not in qty:
                insort(self.prices, price)
            qty[price] = lots
        elif price in qty:
            del qty[price]
            del self.prices[bisect_left(self.prices, price)]


class MarketBook:
    """One market's levels: price (ticks) -> open lots, for bids and asks."""

    __slots__ = ("asks", "bids", "last_update_id", "symbol")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bids = Levels()
        self.asks = Levels()
        self.last_update_id = 0

    def side(self, is_bid: bool) -> Levels:
        return self.bids if is_bid else self.asks

    def best_bid(self) -> tuple[int, int] | None:
        bids = self.bids
        return (bids.prices[-1], bids.qty[bids.prices[-1]]) if bids.prices else None

    def best_ask(self) -> tuple[int, int] | None:
        asks = self.asks
        return (asks.prices[0], asks.qty[asks.prices[0]]) if asks.prices else None

    def depth(self, limit: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(bids best first, asks best first), at most ``limit`` levels each."""
        bq, aq = self.bids.qty, self.asks.qty
        bids = [(p, bq[p]) for p in reversed(self.bids.prices[-limit:])] if limit else []
        asks = [(p, aq[p]) for p in self.asks.prices[:limit]]
        return bids, asks

    def level(self, is_bid: bool, price: int) -> int:
        return self.side(is_bid).get(price)


class BookState:
    """Every market's book and the open orders behind it, fed one command at a time."""

    def __init__(self, listeners: Iterable[LevelListener] = ()) -> None:
        self.books: dict[str, MarketBook] = {}
        self.orders: dict[int, OpenOrder] = {}
        self.seq = 0
        self.listeners = list(listeners)
        self.touched: set[str] = set()  # markets whose book changed (the reader clears it)

    def book(self, market: str) -> MarketBook:
        found = self.books.get(market)
        if found is None:
            found = self.books[market] = MarketBook(market)
        return found

    # -- priming ------------------------------------------------------------------------

    def prime(self, seq: int, orders: Iterable[OrderView], markets: Iterable[str]) -> None:
        """Start from the engine's open orders as of ``seq`` (no listener is told:
        a snapshot is where the diffs start); every market's book is as of ``seq``."""
        self.seq = seq
        for view in orders:
            order = OpenOrder.from_view(view)
            self.orders[order.order_id] = order
            book = self.book(order.market)
            if order.resting:
                side = book.side(order.is_buy)
                side.set(order.price, side.get(order.price) + order.open_lots)
        for market in markets:
            self.book(market).last_update_id = seq

    # -- events -------------------------------------------------------------------------

    def apply(self, seq: int, events: Iterable[Event]) -> None:
        """Apply one command's events (journal entry ``seq``)."""
        self.seq = seq
        orders = self.orders
        for ev in events:
            if isinstance(ev, OrderUpdated):
                found = orders.get(ev.order_id)
                if found is not None:
                    self._updated(found, ev, seq)
            elif isinstance(ev, OrderAccepted):
                order = orders[ev.order_id] = OpenOrder.accepted(ev)
                if order.may_rest and not order.stop_price:
                    self._rest(order, seq)
            elif isinstance(ev, StopTriggered):
                found = orders.get(ev.order_id)
                if found is not None and found.may_rest:
                    self._rest(found, seq)

    def _rest(self, order: OpenOrder, seq: int) -> None:
        order.resting = True
        self._move(order.market, order.is_buy, order.price, order.open_lots, seq)

    def _updated(self, order: OpenOrder, ev: OrderUpdated, seq: int) -> None:
        before = order.open_lots if order.resting else 0
        order.qty = ev.qty
        order.filled_qty = ev.filled_qty
        order.filled_quote = ev.filled_quote
        if ev.status in _OPEN:
            after = order.open_lots if order.resting else 0
        else:
            after = 0
            order.resting = False
            del self.orders[order.order_id]
        if after != before:
            self._move(order.market, order.is_buy, order.price, after - before, seq)

    def _move(self, market: str, is_bid: bool, price: int, delta: int, seq: int) -> None:
        if not delta:
            return
        book = self.book(market)
        side = book.side(is_bid)
        before = side.get(price)
        for listener in self.listeners:
            listener.level_changed(market, is_bid, price, before, seq)
        side.set(price, before + delta)
        book.last_update_id = seq
        self.touched.add(market)
