"""PlaceOrder: validation (every refusal has a Reject code), locking, then taking.

The checks run in a fixed order, cheapest and most general first (market, status,
shape, quantity, band, notional, client id, open-order limit, stop, post-only, FOK,
liquidity, balance); the first that fails is the reason. A refused order changes
nothing: its only event is ``OrderRejected`` (order_id = the command's seq).
"""

from __future__ import annotations

from bisect import insort

from burency_common.market_math import FEE_RATE_SCALE, Rounding
from burency_common.money import AmountError

from .consts import (
    ENDREASON_IOC,
    ENDREASON_NO_LIQUIDITY,
    ENDREASON_NONE,
    ENDREASON_SELF_TRADE,
    MARKETSTATUS_HALTED,
    MARKETSTATUS_TRADING,
    ORDERSTATUS_EXPIRED,
    ORDERSTATUS_FILLED,
    ORDERSTATUS_PARTIALLY_FILLED,
    ORDERTYPE_LIMIT,
    ORDERTYPE_MARKET,
    ORDERTYPE_STOP_LIMIT,
    SIDE_BUY,
    STPMODE_EXPIRE_MAKER,
    STPMODE_NONE,
    TIMEINFORCE_FOK,
    TIMEINFORCE_GTC,
)
from .gridmath import base_minor, fee_up, notional_down, notional_up
from .lifecycle import release, updated
from .matching import take
from .model import (
    FEES_ACCOUNT,
    OrderAccepted,
    OrderRejected,
    PlaceOrder,
    Reject,
    StpMode,
)
from .state import MAX_OPEN_ORDERS, Market, Order, State

__all__ = ["fillable", "fok_fillable", "market_limit", "place", "run_taker"]

_BPS = 10_000
MAX_FEE_PPM = FEE_RATE_SCALE // 10  # 10 %, as burency_common.market_math.parse_fee_rate


def _shape_ok(c: PlaceOrder) -> bool:
    """The combinations of type, prices and quantities that make sense."""
    if c.qty < 0 or c.price < 0 or c.quote_qty < 0 or c.stop_price < 0:
        return False
    if c.user_id == FEES_ACCOUNT or not c.user_id or len(c.client_order_id) > 64:
        return False
    kind = c.type
    if kind is ORDERTYPE_LIMIT:
        return (
            c.price > 0
            and c.qty > 0
            and not c.quote_qty
            and not c.stop_price
            and (not c.post_only or c.tif is TIMEINFORCE_GTC)
        )
    if c.post_only or (c.tif is TIMEINFORCE_FOK and kind is not ORDERTYPE_STOP_LIMIT):
        return False
    if kind is ORDERTYPE_MARKET:
        return not c.price and not c.stop_price and (c.qty > 0) != (c.quote_qty > 0)
    if kind is ORDERTYPE_STOP_LIMIT:
        return c.price > 0 and c.qty > 0 and c.stop_price > 0 and not c.quote_qty
    # STOP_MARKET: a BUY by quote amount (what it locks), a SELL by quantity
    if c.side is SIDE_BUY:
        return c.stop_price > 0 and not c.price and c.quote_qty > 0 and not c.qty
    return c.stop_price > 0 and not c.price and c.qty > 0 and not c.quote_qty


def _out_of_band(m: Market, price: int) -> bool:
    bps = m.spec.price_band_bps
    ref = m.last_price or m.ref_price
    return bool(bps and ref and abs(price - ref) * _BPS > bps * ref)


def market_limit(m: Market, is_buy: bool) -> int:
    """The worst price a market order may reach: the slippage band around the best
    opposite price now (0 when that side is empty)."""
    bps = m.spec.market_slippage_bps
    if is_buy:
        best = m.asks.best_price()
        return best * (_BPS + bps) // _BPS
    best = m.bids.best_price()
    return max(-(-best * (_BPS - bps) // _BPS), 1) if best else 0


def fok_fillable(m: Market, o: Order) -> bool:
    """Whether ``o`` (a limit order) would fill completely right now."""
    return fillable(m, o.is_buy, o.price, o.qty, o.user_id, o.stp)


def fillable(  # noqa: PLR0917
    m: Market, is_buy: bool, price: int, qty: int, user: str, stp: StpMode
) -> bool:
    """Whether ``qty`` lots at ``price`` or better could be taken now (self-trade
    prevention as the taker's ``stp`` would apply it)."""
    side = m.asks if is_buy else m.bids
    limit_key = side.sign * price
    need = qty
    for key in reversed(side.keys):
        if key < limit_key:
            return False
        for mk in side.levels[key].values():
            if mk.user_id == user and stp is not STPMODE_NONE:
                if stp is STPMODE_EXPIRE_MAKER:
                    continue
                return False
            need -= mk.qty - mk.filled_qty
            if need <= 0:
                return True
    return False


def _would_take(m: Market, c: PlaceOrder) -> bool:
    if c.side is SIDE_BUY:
        best = m.asks.best_price()
        return bool(best) and best <= c.price
    best = m.bids.best_price()
    return bool(best) and best >= c.price


def _rules(st: State, m: Market, c: PlaceOrder) -> Reject | None:  # noqa: PLR0912
    if m.status is not MARKETSTATUS_TRADING:
        if m.status is MARKETSTATUS_HALTED:
            return Reject.MARKET_HALTED
        return Reject.MARKET_CANCEL_ONLY
    if not _shape_ok(c):
        return Reject.INVALID_ORDER
    spec = m.spec
    if c.qty:
        if c.qty < spec.min_qty:
            return Reject.QUANTITY_TOO_SMALL
        if c.qty > spec.max_qty:
            return Reject.QUANTITY_TOO_LARGE
    if c.price:
        if _out_of_band(m, c.price):
            return Reject.PRICE_OUT_OF_BAND
        if notional_down(m, c.price, c.qty) < spec.min_notional:
            return Reject.NOTIONAL_TOO_SMALL
    elif c.quote_qty and c.quote_qty < spec.min_notional:
        return Reject.NOTIONAL_TOO_SMALL
    if c.client_order_id and (c.user_id, c.client_order_id) in st.client_ids:
        return Reject.DUPLICATE_CLIENT_ORDER_ID
    may_rest = c.stop_price or (c.tif is TIMEINFORCE_GTC and c.type is ORDERTYPE_LIMIT)
    if may_rest and len(st.user_orders.get((c.user_id, c.market), ())) >= MAX_OPEN_ORDERS:
        return Reject.TOO_MANY_OPEN_ORDERS
    if c.stop_price:
        last = m.last_price
        if last and (last >= c.stop_price if c.side is SIDE_BUY else last <= c.stop_price):
            return Reject.STOP_WOULD_TRIGGER
    elif c.post_only and _would_take(m, c):
        return Reject.POST_ONLY_WOULD_TAKE
    if c.type is ORDERTYPE_MARKET and not market_limit(m, c.side is SIDE_BUY):
        return Reject.NO_LIQUIDITY
    return None


def _lock_amount(st: State, m: Market, o: Order) -> int:
    """Minor units of ``o.locked_asset`` to lock; 0 = not affordable."""
    acct = st.balances.get((o.user_id, o.locked_asset))  # a refusal creates no account
    avail = acct[0] if acct is not None else 0
    if o.type is ORDERTYPE_MARKET and o.is_buy and o.qty:  # by quantity: what it may cost
        limit = market_limit(m, True)
        worst = notional_up(m, limit, o.qty)
        need = min(avail, worst + fee_up(worst, o.taker_ppm))
        one = notional_up(m, m.asks.best_price(), 1)
        return need if one + fee_up(one, o.taker_ppm) <= need else 0
    if o.type is ORDERTYPE_MARKET and not o.is_buy and o.quote_qty:  # sell by amount
        limit = market_limit(m, False)
        grid = m.grid
        gross = -(-o.quote_qty * FEE_RATE_SCALE // (FEE_RATE_SCALE - o.taker_ppm)) + 1
        lots = grid.lots_for_quote(gross, limit, Rounding.UP) + 1
        lots = min(lots, grid.lots_of_base(avail, Rounding.DOWN))
        return base_minor(m, lots)
    if o.quote_qty:  # a buy by amount: market or stop-market
        need = o.quote_qty
    elif o.is_buy:
        notional = notional_up(m, o.price, o.qty)
        need = notional + fee_up(notional, max(o.maker_ppm, o.taker_ppm))
    else:
        need = base_minor(m, o.qty)
    return need if need <= avail else 0


def _new_order(st: State, m: Market, c: PlaceOrder, seq: int) -> Order:
    maker, taker = st.rates(c.user_id, m.spec)
    return Order(
        seq,
        c.user_id,
        c.market,
        c.side,
        c.type,
        c.tif,
        c.qty,
        c.price,
        c.quote_qty,
        c.stop_price,
        c.post_only,
        c.client_order_id,
        c.stp,
        maker,
        taker,
        m.quote if c.side is SIDE_BUY else m.base,
        st.ts,
    )


def _reject(st: State, c: PlaceOrder, seq: int, reason: Reject) -> None:
    st.events.append(OrderRejected(c.user_id, c.market, seq, c.client_order_id, reason, st.ts))


def place(st: State, c: PlaceOrder, seq: int) -> None:
    m = st.markets.get(c.market)
    if m is None:
        _reject(st, c, seq, Reject.MARKET_UNKNOWN)
        return
    try:
        reason = _rules(st, m, c)
    except AmountError:  # a notional beyond what a ledger can hold
        reason = Reject.INVALID_ORDER
    if reason is not None:
        _reject(st, c, seq, reason)
        return
    o = _new_order(st, m, c, seq)
    if c.tif is TIMEINFORCE_FOK and not c.stop_price and not fok_fillable(m, o):
        _reject(st, c, seq, Reject.FOK_NOT_FILLABLE)
        return
    try:
        amount = _lock_amount(st, m, o)
    except AmountError:  # beyond what a ledger can hold: refused, not a crash
        _reject(st, c, seq, Reject.INVALID_ORDER)
        return
    if not amount:
        _reject(st, c, seq, Reject.INSUFFICIENT_BALANCE)
        return
    key = (o.user_id, o.locked_asset)
    st.link(o, m)  # creates the account of what it will receive, if new
    acct = o.acct_q if o.is_buy else o.acct_b
    acct[0] -= amount
    acct[1] += amount
    st.touched[key] = acct
    o.locked = amount
    st.events.append(
        OrderAccepted(
            seq, c.user_id, c.market, c.side, c.type, c.tif, c.qty, c.price, c.quote_qty,
            c.stop_price, c.post_only, c.client_order_id, o.locked_asset, amount, st.ts,
        )
    )  # fmt: skip
    if c.stop_price:
        st.index(o)
        insort(m.buy_stops if o.is_buy else m.sell_stops, (o.stop_price, o.order_id))
        return
    run_taker(st, m, o)


def run_taker(st: State, m: Market, o: Order) -> None:
    """Match an accepted (or just triggered) order, then rest, fill or expire it."""
    is_limit = o.type is ORDERTYPE_LIMIT or o.type is ORDERTYPE_STOP_LIMIT
    limit = o.price if is_limit else market_limit(m, o.is_buy)
    if o.stop_price and o.tif is TIMEINFORCE_FOK and not fok_fillable(m, o):
        limit = 0  # a triggered FOK stop-limit that cannot fill completely expires
    stopped = take(st, m, o, limit) if limit else ENDREASON_NO_LIQUIDITY
    if o.qty:
        done = o.filled_qty == o.qty
    elif o.is_buy:  # by amount: done when the rest buys no further lot
        done = stopped is None and o.filled_qty > 0
    else:
        done = o.filled_quote - o.fees_paid >= o.quote_qty
    indexed = o.order_id in st.orders
    if done:
        o.status = ORDERSTATUS_FILLED
        reason = ENDREASON_NONE
    elif is_limit and o.tif is TIMEINFORCE_GTC and stopped is ENDREASON_NO_LIQUIDITY:
        if o.filled_qty:
            o.status = ORDERSTATUS_PARTIALLY_FILLED
            o.updated_ts = st.ts
            st.events.append(updated(o, ENDREASON_NONE, st.ts))
        (m.bids if o.is_buy else m.asks).add(o)
        if not indexed:
            st.index(o)
        return
    else:
        o.status = ORDERSTATUS_EXPIRED
        if stopped is ENDREASON_SELF_TRADE:
            reason = stopped
        elif is_limit:
            reason = ENDREASON_IOC
        else:
            reason = stopped or ENDREASON_IOC
    release(st, o)
    if indexed:
        st.unindex(o)
    o.updated_ts = st.ts
    st.events.append(updated(o, reason, st.ts))
