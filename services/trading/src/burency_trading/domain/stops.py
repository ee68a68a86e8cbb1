"""Stop orders: waiting until the last trade price reaches their stop price.

A BUY stop triggers when the last price >= its stop price, a SELL stop when the last
price <= its stop price. After a command's trades, every stop the new last price reaches
is triggered, in the order (stop price, order id); each runs as a taker at once (its
funds were locked at placement), and the trades they make may trigger more (a cascade),
all inside the same ``apply``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .model import StopTriggered
from .placing import run_taker
from .state import Market, State

__all__ = ["trigger_stops"]

_AFTER_ANY_ID = 1 << 62


def trigger_stops(st: State, m: Market) -> None:
    """Trigger and run every stop the last price has reached, until none is left."""
    while True:
        last = m.last_price
        buys, sells = m.buy_stops, m.sell_stops
        split_b = bisect_right(buys, (last, _AFTER_ANY_ID))  # stop <= last
        split_s = bisect_left(sells, (last, 0))  # stop >= last
        if not split_b and split_s == len(sells):
            return
        batch = buys[:split_b] + sells[split_s:]
        del buys[:split_b]
        del sells[split_s:]
        batch.sort()
        for _, order_id in batch:
            order = st.orders[order_id]
            order.triggered = True
            st.events.append(StopTriggered(order_id, order.user_id, m.symbol, last, st.ts))
            run_taker(st, m, order)
