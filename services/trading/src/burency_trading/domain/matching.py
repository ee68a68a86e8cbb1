"""The matching loop: an incoming order takes from the opposite side, fill by fill.

This is the hot path: ``take`` is one long function on purpose (profiled: splitting the
settlement of a fill into helper calls cost ~15 % of a crossing order), with the grid's
arithmetic inlined (``Market.mul``/``div``, checked against ``MarketGrid.notional`` by the
tests). The settlement is written out once per taker side (no buyer/seller tuple
packing per fill), and the trade counter and last price are kept in locals until the
loop ends.

Settlement of a fill of ``q`` lots at ``p`` ticks, all in the quote asset's minor units:

* exact notional ``x = p * q * mul / div``; the seller's gross is ``floor(x)``, its fee
  ``ceil(gross * rate / 1e6)`` (``fee_amount``);
* the buyer is charged cumulatively: after the fill it has paid ``ceil(sum of x)`` and
  fees of ``ceil(sum of paid_i * rate_i / 1e6)``; this fill charges the difference. So
  over any number of fills at prices <= its limit the buyer pays at most
  ``ceil(limit * qty * mul / div)`` plus ``ceil(that * max_rate / 1e6)``: its lock;
* the fees account gets both fees and the rounding difference ``paid - gross`` (>= 0),
  so every fill moves exactly zero in total.
"""

from __future__ import annotations

from .consts import (
    ENDREASON_IOC,
    ENDREASON_NO_LIQUIDITY,
    ENDREASON_NONE,
    ENDREASON_SELF_TRADE,
    ORDERSTATUS_EXPIRED,
    ORDERSTATUS_FILLED,
    ORDERSTATUS_PARTIALLY_FILLED,
    ORDERTYPE_MARKET,
    ORDERTYPE_STOP_MARKET,
    STPMODE_EXPIRE_MAKER,
    STPMODE_EXPIRE_TAKER,
    STPMODE_NONE,
)
from .lifecycle import release, updated
from .model import FEES_ACCOUNT, EndReason, OrderUpdated, Trade
from .state import Market, Order, State

__all__ = ["affordable_lots", "lots_to_receive", "take"]

_PPM = 1_000_000


def buy_cost(o: Order, price: int, lots: int, mul: int, div: int, rate: int) -> int:  # noqa: PLR0917 - hot path
    """What ``lots`` more at ``price`` cost the buyer ``o`` (notional and fee, cumulative)."""
    exact = o.exact + price * lots * mul
    paid = -(-exact // div) - o.filled_quote
    fee = -(-(o.fee_exact + paid * rate) // _PPM) - o.fees_paid
    return paid + fee


def affordable_lots(o: Order, price: int, cap: int, mul: int, div: int, rate: int) -> int:  # noqa: PLR0917 - hot path
    """The most lots (<= cap) at ``price`` the buyer ``o`` can pay from ``o.locked``."""
    budget = o.locked
    if buy_cost(o, price, cap, mul, div, rate) <= budget:
        return cap
    # A guess from the budget net of the fee rate is nearly always the answer or next to
    # it: checked exactly (the cost grows with the lots, so the lots with cost <= budget <
    # cost(+1) are the answer), else the bisection decides. Two calls instead of ~log2(cap).
    guess = ((budget * _PPM // (_PPM + rate) + o.filled_quote) * div - o.exact) // (price * mul)
    if 0 <= guess < cap:
        if buy_cost(o, price, guess, mul, div, rate) > budget:
            guess -= 1
            if guess >= 0 and buy_cost(o, price, guess, mul, div, rate) <= budget:
                return guess
        elif buy_cost(o, price, guess + 1, mul, div, rate) > budget:
            return guess
    low, high = 0, cap  # cost(low) <= budget < cost(high); the cost grows with the lots
    while high - low > 1:
        mid = (low + high) // 2
        if buy_cost(o, price, mid, mul, div, rate) <= budget:
            low = mid
        else:
            high = mid
    return low


def lots_to_receive(o: Order, price: int, cap: int, mul: int, div: int, rate: int) -> int:  # noqa: PLR0917 - hot path
    """The fewest lots (<= cap) at ``price`` after which the seller ``o`` (a market sell by
    quote amount) has received ``o.quote_qty`` net of fees; ``cap`` if it never does."""
    need = o.quote_qty - (o.filled_quote - o.fees_paid)

    def net(lots: int) -> int:
        gross = price * lots * mul // div
        return gross - (-(-gross * rate // _PPM))

    if net(cap) < need:
        return cap
    low, high = 0, cap  # net(low) < need <= net(high)
    while high - low > 1:
        mid = (low + high) // 2
        if net(mid) >= need:
            high = mid
        else:
            low = mid
    return high


def take(st: State, m: Market, o: Order, limit: int) -> EndReason | None:  # noqa: PLR0912, PLR0915
    """Match ``o`` against the opposite side at prices no worse than ``limit`` (ticks).

    Returns None when ``o`` is done (filled, or its quote amount reached), else why it
    stopped: NO_LIQUIDITY (no more book within ``limit``), SELF_TRADE (STP ended it) or
    IOC (a market buy ran out of its funds).
    """
    events = st.events
    touched = st.touched
    orders, user_orders = st.orders, st.user_orders
    balances = st.balances
    ts = st.ts
    mul, div, base_mul = m.mul, m.div, m.base_mul
    quote, symbol = m.quote, m.symbol
    is_buy = o.is_buy
    opposite = m.asks if is_buy else m.bids
    keys, levels, sign = opposite.keys, opposite.levels, opposite.sign
    limit_key = sign * limit
    user = o.user_id
    stp = o.stp
    by_quote = o.qty == 0  # a market order by quote amount
    market_buy = is_buy and (o.type is ORDERTYPE_MARKET or o.type is ORDERTYPE_STOP_MARKET)
    sell_by_quote = by_quote and not is_buy
    rate = o.taker_ppm
    fees_key = (FEES_ACCOUNT, quote)
    fees_acct = balances.get(fees_key)
    if fees_acct is None:
        fees_acct = balances[fees_key] = [0, 0]
    my_quote_key, my_base_key = o.key_q, o.key_b
    my_quote, my_base = o.acct_q, o.acct_b
    first = True  # the taker's and the fees' accounts are touched from the first fill on
    if by_quote:
        remaining = o.locked // base_mul if sell_by_quote else 1 << 62
    else:
        remaining = o.qty - o.filled_qty
    side, taker_id = o.side, o.order_id
    trade_id = st.trade_id
    last = 0  # the price of the last fill: Market.last_price once the loop is over
    stopped: EndReason | None = None
    while remaining > 0:
        if not keys or keys[-1] < limit_key:
            stopped = ENDREASON_NO_LIQUIDITY
            break
        key = keys[-1]
        price = sign * key
        level = levels[key]
        mk = next(iter(level.values()))
        mk_user = mk.user_id
        if mk_user == user and stp is not STPMODE_NONE:
            if stp is not STPMODE_EXPIRE_TAKER:  # EXPIRE_MAKER or EXPIRE_BOTH
                _expire_maker(st, m, mk)
            if stp is not STPMODE_EXPIRE_MAKER:
                stopped = ENDREASON_SELF_TRADE
                break
            continue
        mk_qty = mk.qty
        mk_filled = mk.filled_qty
        lots = mk_qty - mk_filled
        if remaining < lots:  # noqa: PLR1730 - cheaper than a call to min() here
            lots = remaining
        if market_buy:
            lots = affordable_lots(o, price, lots, mul, div, rate)
            if lots == 0:
                stopped = None if by_quote else ENDREASON_IOC
                break
        elif sell_by_quote:
            lots = lots_to_receive(o, price, lots, mul, div, rate)
        # -- settle the fill (inlined, see the module docstring) --
        if first:
            touched[my_quote_key] = my_quote
            touched[my_base_key] = my_base
            touched[fees_key] = fees_acct
            first = False
        gross = price * lots * mul
        exact = gross  # (x = price * lots * mul, the exact notional times div)
        gross //= div
        base_amount = lots * base_mul
        if is_buy:  # the taker buys; the maker sold: its base was locked, it gets quote
            exact += o.exact
            o.exact = exact
            paid_total = -(-exact // div)
            paid = paid_total - o.filled_quote
            o.filled_quote = paid_total
            fee_exact = o.fee_exact + paid * rate
            o.fee_exact = fee_exact
            fee_total = -(-fee_exact // _PPM)
            taker_fee = fee_total - o.fees_paid
            o.fees_paid = fee_total
            maker_fee = -(-gross * mk.maker_ppm // _PPM)
            mk.filled_quote += gross
            mk.fees_paid += maker_fee
            cost = paid + taker_fee
            o.locked -= cost
            mk.locked -= base_amount
            fees_acct[0] += cost + maker_fee - gross
            mk_acct = mk.acct_b
            touched[mk.key_b] = mk_acct
            my_quote[1] -= cost
            my_base[0] += base_amount
            mk_acct[1] -= base_amount
            mk_q = mk.acct_q
            touched[mk.key_q] = mk_q
            mk_q[0] += gross - maker_fee
        else:  # the taker sells; the maker bought: its quote was locked, it gets base
            exact += mk.exact
            mk.exact = exact
            paid_total = -(-exact // div)
            paid = paid_total - mk.filled_quote
            mk.filled_quote = paid_total
            fee_exact = mk.fee_exact + paid * mk.maker_ppm
            mk.fee_exact = fee_exact
            fee_total = -(-fee_exact // _PPM)
            maker_fee = fee_total - mk.fees_paid
            mk.fees_paid = fee_total
            taker_fee = -(-gross * rate // _PPM)
            o.filled_quote += gross
            o.fees_paid += taker_fee
            cost = paid + maker_fee
            mk.locked -= cost
            o.locked -= base_amount
            fees_acct[0] += cost + taker_fee - gross
            mk_acct = mk.acct_q
            touched[mk.key_q] = mk_acct
            my_base[1] -= base_amount
            my_quote[0] += gross - taker_fee
            mk_acct[1] -= cost
            mk_b = mk.acct_b
            touched[mk.key_b] = mk_b
            mk_b[0] += base_amount
        trade_id += 1
        mk_id = mk.order_id
        events.append(
            Trade(
                trade_id, symbol, price, lots, gross, side, mk_id, taker_id, mk_user, user,
                maker_fee, taker_fee, ts,
            )
        )  # fmt: skip
        last = price
        o.filled_qty += lots
        remaining -= lots
        mk_filled += lots
        mk.filled_qty = mk_filled
        mk.updated_ts = ts
        if mk_filled == mk_qty:  # the maker is done: release, State.unindex, inlined
            status = mk.status = ORDERSTATUS_FILLED
            del level[mk_id]
            if not level:
                del levels[key]
                keys.pop()
            leftover = mk.locked
            if leftover:  # a buyer that paid less than its limit (or its max fee rate)
                mk_acct[0] += leftover
                mk_acct[1] -= leftover
                mk.locked = 0
            del orders[mk_id]
            mine_key = (mk_user, symbol)
            mine = user_orders[mine_key]
            del mine[mk_id]
            if not mine:
                del user_orders[mine_key]
            if mk.client_order_id:
                del st.client_ids[(mk_user, mk.client_order_id)]
        else:
            status = mk.status = ORDERSTATUS_PARTIALLY_FILLED
        events.append(
            OrderUpdated(
                mk_id, mk_user, symbol, status, mk_qty, mk_filled, mk.filled_quote,
                mk.fees_paid, ENDREASON_NONE, ts,
            )
        )  # fmt: skip
        if sell_by_quote and o.filled_quote - o.fees_paid >= o.quote_qty:
            break
    st.trade_id = trade_id
    if last:
        m.last_price = last
    return stopped


def _expire_maker(st: State, m: Market, mk: Order) -> None:
    """Self-trade prevention: the resting order leaves the book (EXPIRED, SELF_TRADE)."""
    (m.bids if mk.is_buy else m.asks).remove(mk)
    release(st, mk)
    st.unindex(mk)
    mk.status = ORDERSTATUS_EXPIRED
    mk.updated_ts = st.ts
    st.events.append(updated(mk, ENDREASON_SELF_TRADE, st.ts))
