"""How an open order ends (filled, cancelled, expired) and the events that say so."""

from __future__ import annotations

from bisect import bisect_left

from .model import EndReason, OrderStatus, OrderUpdated
from .state import Market, Order, State

__all__ = ["end_order", "release", "remove_from_market", "updated"]


def updated(order: Order, reason: EndReason, ts: int) -> OrderUpdated:
    return OrderUpdated(
        order_id=order.order_id,
        user_id=order.user_id,
        market=order.market,
        status=order.status,
        qty=order.qty,
        filled_qty=order.filled_qty,
        filled_quote=order.filled_quote,
        fees_paid=order.fees_paid,
        reason=reason,
        ts=ts,
    )


def release(st: State, order: Order) -> None:
    """Give back what the order still holds (exactly: its ``locked`` becomes 0)."""
    amount = order.locked
    if amount:
        key = (order.user_id, order.locked_asset)
        acct = st.balances[key]
        acct[0] += amount
        acct[1] -= amount
        st.touched[key] = acct
        order.locked = 0


def remove_from_market(market: Market, order: Order) -> None:
    """Take an open order out of its book side or out of the waiting stops."""
    if order.triggered:
        (market.bids if order.is_buy else market.asks).remove(order)
        return
    stops = market.buy_stops if order.is_buy else market.sell_stops
    del stops[bisect_left(stops, (order.stop_price, order.order_id))]


def end_order(
    st: State, market: Market, order: Order, status: OrderStatus, reason: EndReason
) -> None:
    """End an order that is open (indexed, in its book or stops): release, forget, say so."""
    remove_from_market(market, order)
    release(st, order)
    st.unindex(order)
    order.status = status
    order.updated_ts = st.ts
    st.events.append(updated(order, reason, st.ts))
