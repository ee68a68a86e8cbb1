"""How an open order ends (filled, cancelled, expired) and the events that say so."""

from __future__ import annotations

from bisect import bisect_left

from .model import EndReason, OrderStatus, OrderUpdated
from .state import Market, Order, State

__all__ = ["end_order", "end_user_orders", "release", "updated"]


def updated(order: Order, reason: EndReason, ts: int) -> OrderUpdated:
    return OrderUpdated(  # positional: cheaper than keywords for a msgspec Struct
        order.order_id, order.user_id, order.market, order.status, order.qty,
        order.filled_qty, order.filled_quote, order.fees_paid, reason, ts,
    )  # fmt: skip


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


def _unbook_and_release(
    market: Market, order: Order, touched: dict[tuple[str, str], list[int]]
) -> None:
    """Take an open order out of its book level (or the stop list) and give back what it
    still holds (``BookSide.remove`` and :func:`release`, inlined for the cancel paths)."""
    order_id = order.order_id
    if order.triggered:
        side = market.bids if order.is_buy else market.asks
        key = side.sign * order.price
        level = side.levels[key]
        del level[order_id]
        if not level:
            del side.levels[key]
            keys = side.keys
            if keys[-1] == key:
                keys.pop()
            else:
                del keys[bisect_left(keys, key)]
    else:
        stops = market.buy_stops if order.is_buy else market.sell_stops
        del stops[bisect_left(stops, (order.stop_price, order_id))]
    amount = order.locked
    if amount:
        if order.is_buy:
            acct_key, acct = order.key_q, order.acct_q
        else:
            acct_key, acct = order.key_b, order.acct_b
        acct[0] += amount
        acct[1] -= amount
        touched[acct_key] = acct
        order.locked = 0


def end_order(
    st: State, market: Market, order: Order, status: OrderStatus, reason: EndReason
) -> None:
    """End an order that is open (indexed, in its book or stops): release, forget, say so."""
    _unbook_and_release(market, order, st.touched)
    st.unindex(order)
    ts = st.ts
    order.status = status
    order.updated_ts = ts
    st.events.append(
        OrderUpdated(
            order.order_id, order.user_id, order.market, status, order.qty, order.filled_qty,
            order.filled_quote, order.fees_paid, reason, ts,
        )
    )  # fmt: skip


def end_user_orders(
    st: State,
    market: Market,
    user: str,
    status: OrderStatus,
    reason: EndReason,
) -> None:
    """End every open order of ``user`` in ``market`` (a cancel-all), by order id: what
    :func:`end_order` does per order, with the user's order table dropped once instead of
    per order and the tables and accounts in locals (a cancel-all ends up to 200 orders:
    the longest command of the benchmark)."""
    mine = st.user_orders.pop((user, market.symbol), None)
    if not mine:
        return
    orders, client_ids, touched, ts = st.orders, st.client_ids, st.touched, st.ts
    append = st.events.append
    for order_id in sorted(mine):
        order = mine[order_id]
        _unbook_and_release(market, order, touched)
        del orders[order_id]
        if order.client_order_id:
            del client_ids[(user, order.client_order_id)]
        order.status = status
        order.updated_ts = ts
        append(
            OrderUpdated(
                order_id, user, order.market, status, order.qty, order.filled_qty,
                order.filled_quote, order.fees_paid, reason, ts,
            )
        )  # fmt: skip
