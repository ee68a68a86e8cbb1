"""Private per-user messages from one command's events: Binance's user-data stream.

``executionReport`` for every change of an order (``x``: NEW, TRADE, CANCELED, EXPIRED,
REJECTED, AMENDMENT) and ``outboundAccountPosition`` with the balances the command
changed. Built before the command is applied to the book state, so the resting orders a
fill touches (the makers) are still known; the command's own new order comes from its
``OrderAccepted``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from burency_trading.domain.marketdata.book import OpenOrder
from burency_trading.domain.model import (
    FEES_ACCOUNT,
    AmendOrder,
    BalanceChanged,
    OrderAccepted,
    OrderRejected,
    OrderStatus,
    OrderUpdated,
    PlaceOrder,
    Trade,
)
from burency_trading.service.marketdata.payloads import Formats, decimal_string
from burency_trading.service.ports import CommandResult

__all__ = ["EXECUTION_REPORT", "POSITION", "UserMessage", "everyone", "user_messages"]

EXECUTION_REPORT = "executionReport"
POSITION = "outboundAccountPosition"
UserMessage = tuple[str, str, dict[str, Any]]  # (user id, event name, payload)


def everyone(user_id: str) -> bool:
    """The ``wanted`` that wants every user (a publisher that cannot tell who listens)."""
    del user_id
    return True


_ENDED = {OrderStatus.CANCELED: "CANCELED", OrderStatus.EXPIRED: "EXPIRED"}


def _report(fmt: Formats, o: OpenOrder, ts: int, now_ms: int, **changes: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "e": EXECUTION_REPORT, "E": now_ms, "s": fmt.symbol, "c": o.client_order_id,
        "S": o.side.value, "o": o.type.value, "f": o.tif.value, "q": fmt.qty(o.qty),
        "p": fmt.price(o.price), "P": fmt.price(o.stop_price), "x": "NEW", "X": "NEW",
        "r": "NONE", "i": o.order_id, "l": fmt.qty(0), "z": fmt.qty(o.filled_qty),
        "L": fmt.price(0), "n": fmt.quote(0), "N": fmt.spec.quote, "T": ts // 1000, "t": -1,
        "w": o.resting, "m": False, "O": o.created_ts // 1000, "Z": fmt.quote(o.filled_quote),
        "Q": fmt.quote(o.quote_qty),
    }  # fmt: skip
    report.update(changes)
    return report


def user_messages(
    result: CommandResult,
    orders: Mapping[int, OpenOrder],
    formats: Mapping[str, Formats],
    scales: Mapping[str, int],
    now_ms: int,
    *,
    wanted: Callable[[str], bool] = everyone,
) -> list[UserMessage]:
    """The private messages of one command (empty for most admin commands), for the
    users ``wanted`` says have a listener (the others' reports are not even built)."""
    out: list[UserMessage] = []
    mine: dict[int, OpenOrder] = {}
    balances: dict[str, list[dict[str, str]]] = {}
    for ev in result.events:
        if isinstance(ev, BalanceChanged):
            scale = scales.get(ev.asset)
            if scale is not None and ev.user_id != FEES_ACCOUNT and wanted(ev.user_id):
                balances.setdefault(ev.user_id, []).append({
                    "a": ev.asset,
                    "f": decimal_string(ev.available, -scale),
                    "l": decimal_string(ev.locked, -scale),
                })  # fmt: skip
            continue
        market = getattr(ev, "market", "")
        fmt = formats.get(market)
        if fmt is None:
            continue
        if isinstance(ev, OrderAccepted):
            if not wanted(ev.user_id):
                continue
            order = mine[ev.order_id] = OpenOrder.accepted(ev)
            out.append((ev.user_id, EXECUTION_REPORT, _report(fmt, order, ev.ts, now_ms)))
        elif isinstance(ev, Trade):
            for order_id, is_maker, fee in (
                (ev.maker_order_id, True, ev.maker_fee),
                (ev.taker_order_id, False, ev.taker_fee),
            ):
                filled = mine.get(order_id) or _copy(orders.get(order_id), mine, wanted)
                if filled is None:
                    continue
                order = filled
                order.filled_qty += ev.qty
                order.filled_quote += ev.quote_amount
                done = order.qty and order.filled_qty >= order.qty
                out.append((order.user_id, EXECUTION_REPORT, _report(
                    fmt, order, ev.ts, now_ms, x="TRADE",
                    X="FILLED" if done else "PARTIALLY_FILLED", l=fmt.qty(ev.qty),
                    L=fmt.price(ev.price), n=fmt.quote(fee), t=ev.trade_id, m=is_maker,
                    z=fmt.qty(order.filled_qty), Z=fmt.quote(order.filled_quote),
                )))  # fmt: skip
        elif isinstance(ev, OrderUpdated):
            known = mine.get(ev.order_id) or _copy(orders.get(ev.order_id), mine, wanted)
            if known is None:
                continue
            order = known
            order.qty, order.filled_qty, order.filled_quote = ev.qty, ev.filled_qty, ev.filled_quote
            ended = _ENDED.get(ev.status)
            amended = isinstance(result.command, AmendOrder) and ended is None
            if ended is None and not amended:
                continue  # a fill: its TRADE report said it
            out.append((order.user_id, EXECUTION_REPORT, _report(
                fmt, order, ev.ts, now_ms, x=ended or "AMENDMENT", X=ev.status.value,
                r=ev.reason.value or "NONE", w=False if ended else order.resting,
            )))  # fmt: skip
        elif (
            isinstance(ev, OrderRejected)
            and isinstance(result.command, PlaceOrder)
            and wanted(ev.user_id)
        ):
            order = _rejected(result.command, ev)
            out.append((ev.user_id, EXECUTION_REPORT, _report(
                fmt, order, ev.ts, now_ms, x="REJECTED", X="REJECTED", r=ev.reason.value,
            )))  # fmt: skip
    for user, assets in balances.items():
        ms = result.ts // 1000
        out.append((user, POSITION, {"e": POSITION, "E": now_ms, "u": ms, "B": assets}))
    return out


def _copy(
    order: OpenOrder | None, mine: dict[int, OpenOrder], wanted: Callable[[str], bool]
) -> OpenOrder | None:
    """A private copy of a resting order (the book state's is changed by the book), if
    its owner is ``wanted``."""
    if order is None or not wanted(order.user_id):
        return None
    copy = OpenOrder(
        order.order_id, order.user_id, order.market, order.is_buy, order.type, order.tif,
        order.qty, order.price, order.quote_qty, order.stop_price, order.client_order_id,
        order.created_ts,
    )  # fmt: skip
    copy.filled_qty, copy.filled_quote, copy.resting = (
        order.filled_qty, order.filled_quote, order.resting,
    )  # fmt: skip
    mine[order.order_id] = copy
    return copy


def _rejected(c: PlaceOrder, ev: OrderRejected) -> OpenOrder:
    return OpenOrder(
        ev.order_id, c.user_id, c.market, c.side.value == "BUY", c.type, c.tif, c.qty,
        c.price, c.quote_qty, c.stop_price, c.client_order_id, ev.ts,
    )  # fmt: skip
