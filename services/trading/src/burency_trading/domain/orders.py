"""CancelOrder, CancelAll and AmendOrder: changes to orders that are already open."""

from __future__ import annotations

from .consts import (
    ENDREASON_ADMIN_CANCELED,
    ENDREASON_NONE,
    ENDREASON_USER_CANCELED,
    MARKETSTATUS_HALTED,
    ORDERSTATUS_CANCELED,
)
from .gridmath import base_minor, fee_up, notional_up
from .lifecycle import end_order, end_user_orders, updated
from .model import (
    AmendOrder,
    CancelAll,
    CancelOrder,
    OrderRejected,
    Reject,
)
from .state import Market, Order, State

__all__ = ["amend", "cancel", "cancel_all"]


def _refuse(st: State, user: str, market: str, order_id: int, coid: str, why: Reject) -> None:  # noqa: PLR0917
    st.events.append(OrderRejected(user, market, order_id, coid, why, st.ts))


def _find(  # noqa: PLR0917
    st: State, user: str, market: str, order_id: int, coid: str, admin: bool
) -> Order | None:
    """The open order meant, or None: another user's order is "not found" unless an admin
    asks (its existence is never revealed)."""
    order = st.orders.get(order_id) if order_id else st.client_ids.get((user, coid))
    if order is None or order.market != market:
        return None
    if order.user_id != user and not admin:
        return None
    return order


def cancel(st: State, c: CancelOrder) -> None:
    m = st.markets.get(c.market)
    why: Reject | None = None
    order = None
    if m is None:
        why = Reject.MARKET_UNKNOWN
    elif m.status is MARKETSTATUS_HALTED and not c.by_admin:
        why = Reject.MARKET_HALTED
    elif not c.order_id and not c.client_order_id:
        why = Reject.INVALID_ORDER
    else:
        order = _find(st, c.user_id, c.market, c.order_id, c.client_order_id, c.by_admin)
        if order is None:
            why = Reject.ORDER_NOT_FOUND
    if why is not None or order is None or m is None:
        _refuse(st, c.user_id, c.market, c.order_id, c.client_order_id, why or Reject.INVALID_ORDER)
        return
    reason = ENDREASON_ADMIN_CANCELED if c.by_admin else ENDREASON_USER_CANCELED
    end_order(st, m, order, ORDERSTATUS_CANCELED, reason)


def cancel_all(st: State, c: CancelAll) -> None:
    """Every open order (stops included) of the user in the market (all markets when
    ``market`` is empty; halted markets are skipped unless an admin asks), by order id."""
    if c.market:
        m = st.markets.get(c.market)
        if m is None:
            _refuse(st, c.user_id, c.market, 0, "", Reject.MARKET_UNKNOWN)
            return
        if m.status is MARKETSTATUS_HALTED and not c.by_admin:
            _refuse(st, c.user_id, c.market, 0, "", Reject.MARKET_HALTED)
            return
        targets = [m]
    else:
        targets = [
            st.markets[s]
            for s in sorted(st.markets)
            if c.by_admin or st.markets[s].spec.status is not MARKETSTATUS_HALTED
        ]
    reason = ENDREASON_ADMIN_CANCELED if c.by_admin else ENDREASON_USER_CANCELED
    for m in targets:
        end_user_orders(st, m, c.user_id, ORDERSTATUS_CANCELED, reason)


def _buy_lock(m: Market, order: Order, qty: int) -> int:
    """What a limit buy of ``qty`` at its price locks in total (as at acceptance)."""
    notional = notional_up(m, order.price, qty)
    return notional + fee_up(notional, max(order.maker_ppm, order.taker_ppm))


def amend(st: State, c: AmendOrder) -> None:
    """Reduce an open order's quantity; it keeps its place in the queue, and the lock
    shrinks to exactly what the smaller order needs (sells: the base of the rest; buys:
    the full lock of ``new_qty`` less what the order already spent)."""
    m = st.markets.get(c.market)
    order = None
    if m is None:
        why: Reject | None = Reject.MARKET_UNKNOWN
    elif m.status is MARKETSTATUS_HALTED:
        why = Reject.MARKET_HALTED
    else:
        order = _find(st, c.user_id, c.market, c.order_id, "", False)
        why = Reject.ORDER_NOT_FOUND if order is None else None
    if order is not None and not order.filled_qty < c.new_qty < order.qty:
        why = Reject.AMEND_NOT_A_DECREASE
    if why is not None or order is None or m is None:
        _refuse(st, c.user_id, c.market, c.order_id, "", why or Reject.INVALID_ORDER)
        return
    if order.is_buy:
        new_lock = _buy_lock(m, order, c.new_qty) - order.filled_quote - order.fees_paid
    else:
        new_lock = base_minor(m, c.new_qty - order.filled_qty)
    freed = order.locked - new_lock
    key = (order.user_id, order.locked_asset)
    acct = st.balances[key]
    acct[0] += freed
    acct[1] -= freed
    st.touched[key] = acct
    order.locked = new_lock
    order.qty = c.new_qty
    order.updated_ts = st.ts
    st.events.append(updated(order, ENDREASON_NONE, st.ts))
