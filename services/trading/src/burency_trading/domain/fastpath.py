"""The hot path of the commonest commands: a valid LIMIT order, and a cancel by id.

Profiling the benchmark workload showed that a limit order that rests spent most of its
~7 µs in generic checks (the MarketGrid calls, the rule chain, a ``take`` that finds
nothing to match). ``fast_limit`` handles the happy path of a LIMIT order with the
same arithmetic inlined; as soon as anything is unusual (a check that would refuse, a FOK
that cannot fill, a non-trading market) it returns False *before changing anything* and
the general path in :mod:`.placing` decides, with its reject codes. Two refusals common
in a busy book (TOO_MANY_OPEN_ORDERS, POST_ONLY_WOULD_TAKE) are made here directly, at
the same point of the check order as the general path makes them. So both paths agree by
construction: the fast one only accepts what the general one accepts, and both lock the
same amounts (the golden, stateful and replay tests run through both).
"""

from __future__ import annotations

from bisect import bisect_left

from burency_common.money import MAX_MINOR

from .consts import (
    ENDREASON_IOC,
    ENDREASON_NO_LIQUIDITY,
    ENDREASON_NONE,
    ENDREASON_SELF_TRADE,
    ENDREASON_USER_CANCELED,
    MARKETSTATUS_HALTED,
    MARKETSTATUS_TRADING,
    ORDERSTATUS_CANCELED,
    ORDERSTATUS_EXPIRED,
    ORDERSTATUS_FILLED,
    ORDERSTATUS_PARTIALLY_FILLED,
    ORDERTYPE_LIMIT,
    SIDE_BUY,
    TIMEINFORCE_FOK,
    TIMEINFORCE_GTC,
)
from .matching import take
from .model import (
    FEES_ACCOUNT,
    CancelOrder,
    OrderAccepted,
    OrderRejected,
    OrderUpdated,
    PlaceOrder,
    Reject,
)
from .placing import fillable
from .state import MAX_OPEN_ORDERS, Market, Order, State

__all__ = ["fast_cancel", "fast_limit"]

_BPS = 10_000
_PPM = 1_000_000
_TRADING = MARKETSTATUS_TRADING
_GTC = TIMEINFORCE_GTC
_FOK = TIMEINFORCE_FOK


def fast_limit(st: State, m: Market, c: PlaceOrder, seq: int) -> bool:  # noqa: PLR0912, PLR0915
    """Accept and run a plain valid LIMIT order; False (nothing changed) otherwise."""
    price, qty, user, tif, post_only = c.price, c.qty, c.user_id, c.tif, c.post_only
    if (
        m.status is not _TRADING
        or price <= 0
        or qty < m.min_qty
        or qty > m.max_qty
        or c.quote_qty
        or c.stop_price
        or (tif is not _GTC and post_only)
        or not user
        or user == FEES_ACCOUNT
    ):
        return False
    bps = m.band_bps
    if bps:
        ref = m.last_price or m.ref_price
        if ref and abs(price - ref) * _BPS > bps * ref:
            return False
    div = m.div
    exact = price * qty * m.mul
    if exact // div < m.min_notional or exact > MAX_MINOR * div:
        return False  # (beyond BIGINT: the general path's INVALID_ORDER, in its order)
    coid = c.client_order_id
    if coid and (len(coid) > 64 or (user, coid) in st.client_ids):
        return False
    market = c.market
    events = st.events
    mine_key = (user, market)
    mine = None
    if tif is _GTC:
        mine = st.user_orders.get(mine_key)
        if mine is not None and len(mine) >= MAX_OPEN_ORDERS:  # every earlier check passed
            events.append(OrderRejected(user, market, seq, coid, _TOO_MANY, st.ts))
            return True
    order_side = c.side
    is_buy = order_side is SIDE_BUY
    opposite = m.asks if is_buy else m.bids
    keys = opposite.keys
    crosses = bool(keys) and keys[-1] >= opposite.sign * price
    if post_only and crosses:  # as placing._rules: every earlier check passed
        events.append(OrderRejected(user, market, seq, coid, _POST_ONLY, st.ts))
        return True
    if tif is _FOK and not (crosses and fillable(m, is_buy, price, qty, user, c.stp)):
        return False  # the general path refuses it (FOK_NOT_FILLABLE)
    tier = st.user_tiers.get(user) if st.user_tiers else None
    if tier and tier in st.fee_schedule:
        scheduled = st.fee_schedule[tier]
        maker, taker = scheduled.maker_ppm, scheduled.taker_ppm
    else:
        maker, taker = m.maker_ppm, m.taker_ppm
    if is_buy:
        notional = -(-exact // div)
        amount = notional + -(-notional * (maker if maker > taker else taker) // _PPM)
        asset, other = m.quote, m.base
    else:
        amount = qty * m.base_mul
        asset, other = m.base, m.quote
    balances = st.balances
    key = (user, asset)
    acct = balances.get(key)
    if acct is None or acct[0] < amount or amount > MAX_MINOR:
        return False
    # -- accepted --
    other_key = (user, other)
    other_acct = balances.get(other_key)
    if other_acct is None:
        other_acct = balances[other_key] = [0, 0]
    acct[0] -= amount
    acct[1] += amount
    st.touched[key] = acct
    ts = st.ts
    o = Order(
        seq, user, market, order_side, ORDERTYPE_LIMIT, tif, qty, price, 0, 0, post_only, coid,
        c.stp, maker, taker, asset, ts,
    )  # fmt: skip
    o.locked = amount
    if is_buy:
        o.acct_q, o.acct_b, o.key_q, o.key_b = acct, other_acct, key, other_key
    else:
        o.acct_q, o.acct_b, o.key_q, o.key_b = other_acct, acct, other_key, key
    events.append(
        OrderAccepted(
            seq, user, market, order_side, ORDERTYPE_LIMIT, tif, qty, price, 0, 0, post_only,
            coid, asset, amount, ts,
        )
    )  # fmt: skip
    if crosses:  # PlaceOrder's run_taker, specialised for a limit order
        stopped = take(st, m, o, price)
        filled = o.filled_qty
        if filled == qty or tif is not _GTC or stopped is not ENDREASON_NO_LIQUIDITY:
            if filled == qty:
                status, reason = ORDERSTATUS_FILLED, ENDREASON_NONE
            else:
                status = ORDERSTATUS_EXPIRED
                reason = stopped if stopped is ENDREASON_SELF_TRADE else ENDREASON_IOC
            leftover = o.locked
            if leftover:
                acct[0] += leftover
                acct[1] -= leftover
                o.locked = 0
            o.status = status
            events.append(
                OrderUpdated(
                    seq, user, market, status, qty, filled, o.filled_quote, o.fees_paid,
                    reason, ts,
                )
            )  # fmt: skip
            return True
        if filled:
            o.status = ORDERSTATUS_PARTIALLY_FILLED
            events.append(
                OrderUpdated(
                    seq, user, market, ORDERSTATUS_PARTIALLY_FILLED, qty, filled,
                    o.filled_quote, o.fees_paid, ENDREASON_NONE, ts,
                )
            )  # fmt: skip
    if crosses or tif is _GTC:  # rest: BookSide.add and State.index, inlined
        side = m.bids if is_buy else m.asks
        book_key = side.sign * price
        level = side.levels.get(book_key)
        if level is None:
            level = side.levels[book_key] = {}
            keys = side.keys
            if not keys or book_key > keys[-1]:
                keys.append(book_key)
            else:
                keys.insert(bisect_left(keys, book_key), book_key)
        level[seq] = o
        st.orders[seq] = o
        if crosses:  # (take may have ended this user's last other order here)
            mine = st.user_orders.get(mine_key)
        if mine is None:
            mine = st.user_orders[mine_key] = {}
        mine[seq] = o
        if coid:
            st.client_ids[(user, coid)] = o
    else:  # an IOC that meets nothing
        acct[0] += amount
        acct[1] -= amount
        o.locked = 0
        o.status = ORDERSTATUS_EXPIRED
        events.append(
            OrderUpdated(seq, user, market, ORDERSTATUS_EXPIRED, qty, 0, 0, 0, ENDREASON_IOC, ts)
        )
    return True


_NOT_FOUND = Reject.ORDER_NOT_FOUND
_TOO_MANY = Reject.TOO_MANY_OPEN_ORDERS
_POST_ONLY = Reject.POST_ONLY_WOULD_TAKE
_HALTED = MARKETSTATUS_HALTED


def fast_cancel(st: State, c: CancelOrder) -> bool:
    """Cancel by order id of one's own resting order, or refuse an unknown id; False
    (nothing changed) for anything else (client id, admin, stops, market status)."""
    order_id = c.order_id
    m = st.markets.get(c.market)
    if not order_id or c.by_admin or m is None or m.status is _HALTED:
        return False
    user = c.user_id
    order = st.orders.get(order_id)
    if order is None or order.user_id != user or order.market != c.market:
        st.events.append(
            OrderRejected(user, c.market, order_id, c.client_order_id, _NOT_FOUND, st.ts)
        )
        return True
    if not order.triggered:
        return False
    # BookSide.remove, release, State.unindex and the event, inlined
    side = m.bids if order.is_buy else m.asks
    book_key = side.sign * order.price
    level = side.levels[book_key]
    del level[order_id]
    if not level:
        del side.levels[book_key]
        keys = side.keys
        if keys[-1] == book_key:
            keys.pop()
        else:
            del keys[bisect_left(keys, book_key)]
    amount = order.locked
    if amount:
        if order.is_buy:
            acct_key, acct = order.key_q, order.acct_q
        else:
            acct_key, acct = order.key_b, order.acct_b
        acct[0] += amount
        acct[1] -= amount
        st.touched[acct_key] = acct
        order.locked = 0
    del st.orders[order_id]
    mine_key = (user, order.market)
    mine = st.user_orders[mine_key]
    del mine[order_id]
    if not mine:
        del st.user_orders[mine_key]
    if order.client_order_id:
        del st.client_ids[(user, order.client_order_id)]
    ts = st.ts
    order.status = ORDERSTATUS_CANCELED
    order.updated_ts = ts
    st.events.append(
        OrderUpdated(
            order_id, user, order.market, ORDERSTATUS_CANCELED, order.qty, order.filled_qty,
            order.filled_quote, order.fees_paid, ENDREASON_USER_CANCELED, ts,
        )
    )  # fmt: skip
    return True
