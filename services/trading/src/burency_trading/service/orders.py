"""Order use cases: place, cancel (by id, by client id, all), amend, read.

Decimal strings from the API are put on the market's grid here (``PRICE_NOT_ON_TICK``,
``QUANTITY_NOT_ON_LOT``, ...), then the engine decides: its events are the answer. A
rejection becomes the problem of its :class:`~burency_trading.domain.model.Reject` code
(``service/errors.py``). An order of another user is reported exactly like one that does
not exist (404 ``ORDER_NOT_FOUND``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from burency_common.errors import BurencyError, IdempotencyConflict, NotFound
from burency_common.market_math import MarketGrid
from burency_common.money import AmountError, parse_amount
from burency_trading.domain.model import (
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    MarketSpec,
    OrderAccepted,
    OrderRejected,
    OrderType,
    OrderUpdated,
    OrderView,
    PlaceOrder,
    Side,
    StpMode,
    TimeInForce,
    Trade,
)
from burency_trading.service.context import TradingContext
from burency_trading.service.errors import amount_error, invalid, not_found, rejected
from burency_trading.service.ports import CommandResult
from burency_trading.service.views import Fill, OrderState

__all__ = [
    "ORDER_TYPES",
    "OrderRequest",
    "Placement",
    "amend_order",
    "cancel_all",
    "cancel_order",
    "find_order",
    "open_orders",
    "place_idempotent",
    "place_order",
    "resolve_market",
]

ORDER_TYPES: dict[str, tuple[OrderType, bool]] = {
    "LIMIT": (OrderType.LIMIT, False),
    "LIMIT_MAKER": (OrderType.LIMIT, True),  # Binance's post-only limit order
    "MARKET": (OrderType.MARKET, False),
    "STOP_LIMIT": (OrderType.STOP_LIMIT, False),
    "STOP_LOSS_LIMIT": (OrderType.STOP_LIMIT, False),  # Binance's name
    "STOP_MARKET": (OrderType.STOP_MARKET, False),
    "STOP_LOSS": (OrderType.STOP_MARKET, False),  # Binance's name
}
"""API order types → (engine type, post-only)."""

_PRICED = {OrderType.LIMIT, OrderType.STOP_LIMIT}
_STOPS = {OrderType.STOP_LIMIT, OrderType.STOP_MARKET}


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A new order as the API received it (amounts still decimal strings)."""

    symbol: str
    side: Side
    type: str
    tif: TimeInForce | None = None
    quantity: str | None = None
    quote_order_qty: str | None = None
    price: str | None = None
    stop_price: str | None = None
    client_order_id: str = ""
    stp: StpMode = StpMode.EXPIRE_TAKER


@dataclass(frozen=True, slots=True)
class Placement:
    """The answer to a placement: the order after matching and its fills."""

    order: OrderState
    fills: list[Fill] = field(default_factory=list)


def resolve_market(ctx: TradingContext, symbol: str) -> MarketSpec:
    spec = ctx.market(symbol)
    if spec is None:
        raise invalid("MARKET_UNKNOWN", f"unknown symbol {symbol[:40]!r}", "symbol")
    return spec


def _parse(parse: Callable[[str], int], text: str, name: str) -> int:
    try:
        return parse(text)
    except AmountError as exc:
        raise amount_error(exc, name) from None


def build_place(ctx: TradingContext, user_id: str, req: OrderRequest) -> PlaceOrder:
    """The engine command for ``req`` (422 on an impossible combination or bad amount)."""
    spec = resolve_market(ctx, req.symbol)
    grid = ctx.grid(spec.symbol)
    otype, post_only = ORDER_TYPES[req.type]
    _check_fields(req, otype, post_only)
    price = _positive(grid.parse_price, req.price, "price")
    stop = _positive(grid.parse_price, req.stop_price, "stopPrice")
    qty = _positive(grid.parse_quantity, req.quantity, "quantity")
    quote_qty = 0
    if req.quote_order_qty is not None:
        quote_qty = _positive(
            partial(_amount, scale=spec.quote_scale), req.quote_order_qty, "quoteOrderQty"
        )
    return PlaceOrder(
        user_id=user_id,
        market=spec.symbol,
        side=req.side,
        type=otype,
        tif=req.tif or TimeInForce.GTC,
        qty=qty,
        price=price,
        quote_qty=quote_qty,
        stop_price=stop,
        post_only=post_only,
        client_order_id=req.client_order_id,
        stp=req.stp,
    )


def _amount(text: str, *, scale: int) -> int:
    return parse_amount(text, scale)


def _positive(parse: Callable[[str], int], text: str | None, name: str) -> int:
    if text is None:
        return 0
    value = _parse(parse, text, name)
    if value <= 0:
        raise invalid("INVALID_ORDER", f"{name} must be greater than zero", name)
    return value


def _check_fields(req: OrderRequest, otype: OrderType, post_only: bool) -> None:
    """Which fields each type needs and forbids (Binance's rules, as 422 INVALID_ORDER)."""

    def refuse(name: str, why: str) -> BurencyError:
        return invalid("INVALID_ORDER", f"{name} {why} for a {req.type} order", name)

    if otype in _PRICED and req.price is None:
        raise refuse("price", "is required")
    if otype not in _PRICED and req.price is not None:
        raise refuse("price", "is not allowed")
    if otype in _STOPS and req.stop_price is None:
        raise refuse("stopPrice", "is required")
    if otype not in _STOPS and req.stop_price is not None:
        raise refuse("stopPrice", "is not allowed")
    if otype in _PRICED and req.quote_order_qty is not None:
        raise refuse("quoteOrderQty", "is not allowed")
    if (req.quantity is None) == (req.quote_order_qty is None) and otype not in _PRICED:
        raise refuse("quantity", "or quoteOrderQty (exactly one) is required")
    if otype in _PRICED and req.quantity is None:
        raise refuse("quantity", "is required")
    if post_only and req.tif not in (None, TimeInForce.GTC):
        raise refuse("timeInForce", "must be GTC")


async def place_order(ctx: TradingContext, user_id: str, req: OrderRequest) -> Placement:
    command = build_place(ctx, user_id, req)
    result = await ctx.engine.submit(command)
    return placement_of(result, command)


def placement_of(result: CommandResult, command: PlaceOrder) -> Placement:
    """The order placed by ``result`` (its id is the command's seq) and its fills."""
    order_id = result.seq
    state: OrderState | None = None
    fills: list[Fill] = []
    for event in result.events:
        if isinstance(event, OrderRejected) and event.order_id == order_id:
            raise rejected(event.reason)
        if isinstance(event, OrderAccepted) and event.order_id == order_id:
            state = _accepted(event, command)
        elif isinstance(event, Trade) and order_id in (event.maker_order_id, event.taker_order_id):
            fills.append(Fill.of(event, order_id))
        elif isinstance(event, OrderUpdated) and event.order_id == order_id and state:
            state = state.updated(event)
    if state is None:
        raise BurencyError("the engine neither accepted nor rejected the order")
    return Placement(state, fills)


def _accepted(event: OrderAccepted, command: PlaceOrder) -> OrderState:
    return OrderState(
        order_id=event.order_id,
        user_id=event.user_id,
        market=event.market,
        side=str(event.side),
        type=str(event.type),
        tif=str(event.tif),
        qty=event.qty,
        price=event.price,
        quote_qty=event.quote_qty,
        stop_price=event.stop_price,
        post_only=event.post_only,
        client_order_id=event.client_order_id,
        status="NEW",
        filled_qty=0,
        filled_quote=0,
        fees_paid=0,
        created_ts=event.ts,
        updated_ts=event.ts,
        stp=str(command.stp),
    )


def _target(
    user_id: str, market: str | None, order_id: int, client_order_id: str
) -> Callable[[Any], OrderView | None]:
    """Finds the caller's open order (by id or client id, in ``market`` if given) on
    the engine: None when it is not open, not theirs or in another market."""

    def find(engine: Any) -> OrderView | None:
        if order_id:
            view = engine.order(order_id)
        else:
            view = engine.order_by_client_id(user_id, client_order_id)
        if not isinstance(view, OrderView) or view.user_id != user_id:
            return None
        return None if market is not None and view.market != market else view

    return find


async def _live(
    ctx: TradingContext, user_id: str, order_id: int = 0, client_order_id: str = ""
) -> OrderView | None:
    """The caller's open order by id or client id (None: not open, or not theirs)."""
    return await ctx.engine.query(_target(user_id, None, order_id, client_order_id))


async def find_order(
    ctx: TradingContext, user_id: str, *, order_id: int = 0, client_order_id: str = ""
) -> OrderState:
    """The caller's order: live from the engine while open, else from the history."""
    view = await _live(ctx, user_id, order_id, client_order_id)
    if view is not None:
        return OrderState.of(view)
    await ctx.history_caught_up()  # it ended (or never was): the history knows by now
    if order_id:
        row = await ctx.history.get_order(user_id, order_id)
    else:
        row = await ctx.history.get_order_by_client_id(user_id, client_order_id)
    if row is None or row.user_id != user_id:
        raise not_found()
    return OrderState.of(row)


async def _on_open_order(
    ctx: TradingContext,
    find: Callable[[Any], OrderView | None],
    command: Callable[[OrderView], Command],
) -> OrderState:
    """Look the order up and apply ``command(view)`` to it in one engine round trip
    (404 unless it is open and the caller's)."""

    def decide(engine: Any) -> tuple[OrderView | None, Command | None]:
        view = find(engine)
        return view, None if view is None else command(view)

    view, result = await ctx.engine.submit_decided(decide)
    if view is None or result is None:
        raise not_found()
    return _after(view, result)


def _after(view: OrderView, result: CommandResult) -> OrderState:
    state = OrderState.of(view)
    for event in result.events:
        if isinstance(event, OrderRejected):
            raise rejected(event.reason)
        if isinstance(event, OrderUpdated) and event.order_id == view.order_id:
            state = state.updated(event)
    return state


async def cancel_order(
    ctx: TradingContext,
    user_id: str,
    *,
    symbol: str | None = None,
    order_id: int = 0,
    client_order_id: str = "",
) -> OrderState:
    """Cancel one open order of the caller (404 unless it is open and theirs)."""
    market = resolve_market(ctx, symbol).symbol if symbol else None
    return await _on_open_order(
        ctx,
        _target(user_id, market, order_id, client_order_id),
        lambda view: CancelOrder(user_id=user_id, market=view.market, order_id=view.order_id),
    )


async def amend_order(
    ctx: TradingContext, user_id: str, order_id: int, quantity: str, symbol: str | None = None
) -> OrderState:
    """Reduce an open order's total quantity, keeping its place in the queue (two round
    trips: the new quantity is parsed on the order's market grid, found by the first)."""
    market = resolve_market(ctx, symbol).symbol if symbol else None
    view = await ctx.engine.query(_target(user_id, market, order_id, ""))
    if view is None:
        raise not_found()
    grid: MarketGrid = ctx.grid(view.market)
    new_qty = _parse(grid.parse_quantity, quantity, "quantity")
    command = AmendOrder(user_id=user_id, market=view.market, order_id=order_id, new_qty=new_qty)
    return _after(view, await ctx.engine.submit(command))


async def cancel_all(
    ctx: TradingContext, user_id: str, symbol: str | None, *, by_admin: bool = False
) -> list[OrderState]:
    """Cancel every open order of ``user_id`` (in one market, or all); the cancelled ones."""
    market = resolve_market(ctx, symbol).symbol if symbol else ""
    views: Sequence[OrderView] = await ctx.engine.query(lambda e: e.open_orders(user_id, market))
    by_id = {view.order_id: OrderState.of(view) for view in views}
    result = await ctx.engine.submit(CancelAll(user_id=user_id, market=market, by_admin=by_admin))
    cancelled = []
    for event in result.events:
        if isinstance(event, OrderRejected):
            raise rejected(event.reason)
        if isinstance(event, OrderUpdated) and event.order_id in by_id:
            cancelled.append(by_id[event.order_id].updated(event))
    return cancelled


async def open_orders(ctx: TradingContext, user_id: str, symbol: str | None) -> list[OrderState]:
    market = resolve_market(ctx, symbol).symbol if symbol else ""
    views: Sequence[OrderView] = await ctx.engine.query(lambda e: e.open_orders(user_id, market))
    return [OrderState.of(view) for view in views]


async def place_idempotent(
    ctx: TradingContext, user_id: str, req: OrderRequest
) -> tuple[Placement, bool]:
    """Place ``req`` once per client order id: when the caller already has an order with
    it (open or in the history) and the same terms, answer that order's current state
    (``True``: a replay); other terms are 409 ``IDEMPOTENCY_KEY_REUSED``."""
    command = build_place(ctx, user_id, req)
    try:
        existing = await find_order(ctx, user_id, client_order_id=command.client_order_id)
    except NotFound:
        result = await ctx.engine.submit(command)
        return placement_of(result, command), False
    if not _same_terms(existing, command):
        raise IdempotencyConflict(
            "this Idempotency-Key (client order id) was used for a different order"
        )
    return Placement(existing), True


def _same_terms(state: OrderState, command: PlaceOrder) -> bool:
    return (state.market, state.side, state.type, state.post_only, state.tif) == (
        command.market,
        str(command.side),
        str(command.type),
        command.post_only,
        str(command.tif),
    ) and (state.qty, state.price, state.quote_qty, state.stop_price) == (
        command.qty,
        command.price,
        command.quote_qty,
        command.stop_price,
    )
