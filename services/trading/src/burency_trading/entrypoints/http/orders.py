"""The order routes: place, read, cancel, amend (``/v1/orders``, ``/v1/open-orders``).

Writes need the API-key scope ``trade`` and a verified e-mail address; reads any
signed-in caller. Another user's order is 404 ``ORDER_NOT_FOUND``, like a missing one.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from burency_common.api import Page
from burency_common.errors import BadRequest
from burency_common.idempotency.http import REPLAYED_HEADER
from burency_common.web.openapi import problem_responses
from burency_trading.entrypoints.http.deps import TRADER, Ctx, CurrentIdentity, Symbol
from burency_trading.entrypoints.http.schemas import (
    CLIENT_ORDER_ID,
    AmendIn,
    OrderIn,
    OrderOut,
    PlacedOut,
    order_out,
    placed_out,
)
from burency_trading.service import orders
from burency_trading.service.orders import OrderRequest

__all__ = ["orders_router"]

OrderId = Annotated[int, Path(alias="orderId", ge=1, le=2**63 - 1)]
ClientOrderId = Annotated[str, Query(alias="clientOrderId", pattern=CLIENT_ORDER_ID)]
_CLIENT_ID = re.compile(CLIENT_ORDER_ID)
_ERRORS = problem_responses(401, 403, 404, 409, 503)


def _client_order_id(body: OrderIn, key: str | None) -> str:
    """``newClientOrderId``, or the ``Idempotency-Key`` (which must then be a valid
    client order id, and equal ``newClientOrderId`` when both are given)."""
    if key is None:
        return body.new_client_order_id or ""
    if not _CLIENT_ID.fullmatch(key):
        raise BadRequest(
            "Idempotency-Key must be 1..36 characters of A-Z a-z 0-9 _ - "
            "(it is the order's client order id)",
            code="INVALID_IDEMPOTENCY_KEY",
        )
    if body.new_client_order_id not in (None, key):
        raise BadRequest(
            "Idempotency-Key and newClientOrderId differ", code="INVALID_IDEMPOTENCY_KEY"
        )
    return key


def orders_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["orders"], responses=_ERRORS)

    @router.post(
        "/orders",
        status_code=201,
        response_model=PlacedOut,
        dependencies=TRADER,
        summary="Place an order; the answer is its state after matching, with its fills",
        responses={200: {"model": PlacedOut, "description": "an Idempotency-Key replay"}},
    )
    async def place(
        body: OrderIn,
        ctx: Ctx,
        who: CurrentIdentity,
        response: Response,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> PlacedOut:
        request = OrderRequest(
            symbol=body.symbol,
            side=body.side,
            type=body.type.value,
            tif=body.time_in_force,
            quantity=body.quantity,
            quote_order_qty=body.quote_order_qty,
            price=body.price,
            stop_price=body.stop_price,
            client_order_id=_client_order_id(body, idempotency_key),
            stp=body.self_trade_prevention_mode,
        )
        if idempotency_key is None:
            placed = await orders.place_order(ctx, who.user_id, request)
        else:
            placed, replayed = await orders.place_idempotent(ctx, who.user_id, request)
            if replayed:
                response.status_code = 200
                response.headers[REPLAYED_HEADER] = "true"
        return placed_out(ctx, placed.order, placed.fills)

    @router.get("/orders/{orderId}", response_model=OrderOut, summary="One of your orders")
    async def get_order(order_id: OrderId, ctx: Ctx, who: CurrentIdentity) -> OrderOut:
        state = await orders.find_order(ctx, who.user_id, order_id=order_id)
        return order_out(ctx, state)

    @router.get("/orders", response_model=OrderOut, summary="One of your orders by client id")
    async def get_by_client_id(
        client_order_id: ClientOrderId, ctx: Ctx, who: CurrentIdentity
    ) -> OrderOut:
        state = await orders.find_order(ctx, who.user_id, client_order_id=client_order_id)
        return order_out(ctx, state)

    @router.delete(
        "/orders/{orderId}",
        response_model=OrderOut,
        dependencies=TRADER,
        summary="Cancel one of your open orders",
    )
    async def cancel(
        order_id: OrderId, ctx: Ctx, who: CurrentIdentity, symbol: Symbol = None
    ) -> OrderOut:
        state = await orders.cancel_order(ctx, who.user_id, symbol=symbol, order_id=order_id)
        return order_out(ctx, state)

    @router.delete(
        "/orders",
        response_model=OrderOut,
        dependencies=TRADER,
        summary="Cancel one of your open orders by its client order id",
    )
    async def cancel_by_client_id(
        client_order_id: ClientOrderId, ctx: Ctx, who: CurrentIdentity, symbol: Symbol = None
    ) -> OrderOut:
        state = await orders.cancel_order(
            ctx, who.user_id, symbol=symbol, client_order_id=client_order_id
        )
        return order_out(ctx, state)

    @router.patch(
        "/orders/{orderId}",
        response_model=OrderOut,
        dependencies=TRADER,
        summary="Reduce an open order's quantity, keeping its place in the queue",
    )
    async def amend(order_id: OrderId, body: AmendIn, ctx: Ctx, who: CurrentIdentity) -> OrderOut:
        state = await orders.amend_order(ctx, who.user_id, order_id, body.quantity, body.symbol)
        return order_out(ctx, state)

    @router.get("/open-orders", response_model=Page[OrderOut], summary="Your open orders (live)")
    async def open_orders(ctx: Ctx, who: CurrentIdentity, symbol: Symbol = None) -> Page[OrderOut]:
        states = await orders.open_orders(ctx, who.user_id, symbol)
        return Page[OrderOut](items=[order_out(ctx, s) for s in states])

    @router.delete(
        "/open-orders",
        response_model=Page[OrderOut],
        dependencies=TRADER,
        summary="Cancel all your open orders (in one market, or everywhere)",
    )
    async def cancel_all(ctx: Ctx, who: CurrentIdentity, symbol: Symbol = None) -> Page[OrderOut]:
        states = await orders.cancel_all(ctx, who.user_id, symbol)
        return Page[OrderOut](items=[order_out(ctx, s) for s in states])

    return router
