"""The spot matching engine: a pure, deterministic, single-writer state machine.

``Engine.apply(command, seq, ts) -> list[Event]`` is the only way its state changes; it
reads no clock, no randomness and no files, so replaying the same commands with the same
``seq``/``ts`` from the same snapshot always gives the same events and the same
``state_hash()``. It owns the trading balances it settles: risk checks, locking, matching
and settlement of a command happen in one call and can never race.

The queries (``balances``, ``open_orders``, ``depth`` ...) read the live state: call them
on the engine's own thread (between two ``apply`` calls). docs/trading/engine.md tells
the rules (locks, fees and rounding, market orders, stops, STP, rejections).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from . import admin, orders, placing, snapshot, stops, transfers
from .consts import ORDERTYPE_LIMIT
from .fastpath import fast_cancel, fast_limit
from .model import (
    AddMarket,
    AmendOrder,
    BalanceChanged,
    CancelAll,
    CancelOrder,
    Command,
    Event,
    MarketSpec,
    OrderView,
    PlaceOrder,
    SetFeeSchedule,
    SetMarketFees,
    SetMarketStatus,
    SetReferencePrice,
    SetUserFeeTier,
    TransferIn,
    TransferOut,
    TransferOutReversal,
)
from .state import State

__all__ = ["Engine", "SequenceError"]


class SequenceError(ValueError):
    """``apply`` was given a seq that is not greater than the last one applied."""


def _place(st: State, c: PlaceOrder, seq: int) -> None:
    market = st.markets.get(c.market)
    if market is None:
        placing.place(st, c, seq)
        return
    before = market.last_price
    if c.type is not ORDERTYPE_LIMIT or not fast_limit(st, market, c, seq):
        placing.place(st, c, seq)
    if market.last_price != before and (market.buy_stops or market.sell_stops):
        stops.trigger_stops(st, market)


def _command(handler: Callable[[State, Any], None]) -> Callable[[State, Any, int], None]:
    def run(st: State, command: Any, seq: int) -> None:
        handler(st, command)

    return run


_HANDLERS: dict[type[Any], Callable[[State, Any, int], None]] = {
    PlaceOrder: _place,
    CancelOrder: _command(orders.cancel),
    CancelAll: _command(orders.cancel_all),
    AmendOrder: _command(orders.amend),
    TransferIn: _command(transfers.transfer),
    TransferOut: _command(transfers.transfer),
    TransferOutReversal: _command(transfers.transfer_out_reversal),
    AddMarket: _command(admin.add_market),
    SetMarketStatus: _command(admin.set_market_status),
    SetMarketFees: _command(admin.set_market_fees),
    SetFeeSchedule: _command(admin.set_fee_schedule),
    SetUserFeeTier: _command(admin.set_user_fee_tier),
    SetReferencePrice: _command(admin.set_reference_price),
}


class Engine:
    """See the module docstring. ``Engine()`` is empty: markets arrive by AddMarket."""

    __slots__ = ("_st",)

    def __init__(self, state: State | None = None) -> None:
        self._st = state if state is not None else State()

    # -- commands -----------------------------------------------------------------------

    def apply(self, command: Command, seq: int, ts: int) -> list[Event]:
        """Apply one command as journal entry ``seq`` (strictly increasing) at ``ts``
        (microseconds); returns its events in causal order, ending with one
        BalanceChanged per (user, asset) the command touched (final values)."""
        st = self._st
        if seq <= st.last_seq:
            raise SequenceError(f"seq {seq} is not after {st.last_seq}")
        st.last_seq = seq
        st.ts = ts
        events: list[Event] = []
        st.events = events
        touched = st.touched = {}
        kind = type(command)
        if kind is PlaceOrder:  # _place, inlined (the commonest command)
            place: PlaceOrder = command  # type: ignore[assignment]
            market = st.markets.get(place.market)
            if market is None:
                placing.place(st, place, seq)
            else:
                before = market.last_price
                if place.type is not ORDERTYPE_LIMIT or not fast_limit(st, market, place, seq):
                    placing.place(st, place, seq)
                if market.last_price != before and (market.buy_stops or market.sell_stops):
                    stops.trigger_stops(st, market)
        elif kind is CancelOrder:
            if not fast_cancel(st, command):  # type: ignore[arg-type]
                orders.cancel(st, command)  # type: ignore[arg-type]
        else:
            _HANDLERS[kind](st, command, seq)
        if touched:
            for (user, asset), acct in touched.items():
                events.append(BalanceChanged(user, asset, acct[0], acct[1], ts))
        return events

    # -- snapshots ----------------------------------------------------------------------

    def snapshot(self) -> bytes:
        """The whole state as canonical bytes (the same state, the same bytes)."""
        return snapshot.dump(self._st)

    @classmethod
    def restore(cls, data: bytes) -> Engine:
        return cls(snapshot.load(data))

    def state_hash(self) -> str:
        return hashlib.sha256(self.snapshot()).hexdigest()

    @property
    def last_seq(self) -> int:
        return self._st.last_seq

    # -- queries (read-only) ------------------------------------------------------------

    def balances(self, user_id: str) -> dict[str, tuple[int, int]]:
        """asset -> (available, locked) of one user (assets it ever held)."""
        return {
            asset: (acct[0], acct[1])
            for (user, asset), acct in sorted(self._st.balances.items())
            if user == user_id
        }

    def open_orders(self, user_id: str, market: str = "") -> list[OrderView]:
        st = self._st
        symbols = [market] if market else sorted(st.markets)
        views: list[OrderView] = []
        for symbol in symbols:
            mine = st.user_orders.get((user_id, symbol), {})
            views.extend(mine[oid].view() for oid in sorted(mine))
        return views

    def all_open_orders(self) -> list[OrderView]:
        """Every open order of every user (resting and waiting stops), by order id: what
        the books are made of (the market-data sink primes itself from it)."""
        orders = self._st.orders
        return [orders[oid].view() for oid in sorted(orders)]

    def last_prices(self) -> dict[str, int]:
        """Market -> last trade price (ticks; 0: none yet)."""
        return {symbol: m.last_price for symbol, m in sorted(self._st.markets.items())}

    def order(self, order_id: int) -> OrderView | None:
        """An OPEN order (resting or waiting stop); None once it ended (see the events)."""
        found = self._st.orders.get(order_id)
        return found.view() if found is not None else None

    def order_by_client_id(self, user_id: str, client_order_id: str) -> OrderView | None:
        found = self._st.client_ids.get((user_id, client_order_id))
        return found.view() if found is not None else None

    def markets(self) -> list[MarketSpec]:
        return [m.spec for _, m in sorted(self._st.markets.items())]

    def fee_rates(self, user_id: str, market: str) -> tuple[int, int]:
        """(maker, taker) ppm a new order of ``user_id`` in ``market`` would pay."""
        return self._st.rates(user_id, self._st.markets[market].spec)

    def user_tier(self, user_id: str) -> int:
        return self._st.user_tiers.get(user_id, 0)

    def depth(
        self, market: str, limit: int = 100
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(bids best first, asks best first) as (price ticks, open lots) per level."""
        m = self._st.markets[market]
        return m.bids.depth(limit), m.asks.depth(limit)

    def last_price(self, market: str) -> int:
        return self._st.markets[market].last_price

    def totals(self) -> dict[str, int]:
        """Per asset, available + locked over every account (the fees account too)."""
        out = dict.fromkeys(sorted(self._st.assets), 0)
        for (_, asset), acct in self._st.balances.items():
            out[asset] += acct[0] + acct[1]
        return out

    def net_transferred(self) -> dict[str, int]:
        """Per asset, transfers in - out + reversals: always equal to ``totals()``."""
        net = self._st.net
        return {asset: net.get(asset, 0) for asset in sorted(self._st.assets)}
