"""The order routes: place, read, cancel, amend (``/v1/orders``, ``/v1/open-orders``).

Writes need the API-key scope ``trade`` and a verified e-mail address; reads any
signed-in caller. Another user's order is 404 ``ORDER_NOT_FOUND``, like a missing one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from burency_common.api import Page
from burency_common.idempotency.http import REPLAYED_HEADER
from burency_common.web.openapi import problem_responses
from burency_trading.entrypoints.http import placing
from burency_trading.entrypoints.http.cancelling import CancelRoute
from burency_trading.entrypoints.http.deps import TRADER, Ctx, CurrentIdentity, Symbol
from burency_trading.entrypoints.http.schemas import (
    CLIENT_ORDER_ID,
    AmendIn,
    OrderIn,
    OrderOut,
    PlacedOut,
    order_out,
)
from burency_trading.service import orders

__all__ = ["orders_router"]

OrderId = Annotated[int, Path(alias="orderId", ge=1, le=2**63 - 1)]
ClientOrderId = Annotated[str, Query(alias="clientOrderId", pattern=CLIENT_ORDER_ID)]
_ERRORS = problem_responses(401, 403, 404, 409, 503)


def orders_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["orders"], responses=_ERRORS)

    async def place(
        body: OrderIn,
        ctx: Ctx,
        who: CurrentIdentity,
        response: Response,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> PlacedOut:
        answer, replayed = await placing.place(ctx, who, body, idempotency_key)
        if replayed:
            response.status_code = 200
            response.headers[REPLAYED_HEADER] = "true"
        return answer

    # PlaceRoute answers plain JSON bodies without FastAPI's per-request work
    # (entrypoints/http/placing.py); everything else is this endpoint's.
    router.add_api_route(
        "/orders",
        place,
        methods=["POST"],
        status_code=201,
        response_model=PlacedOut,
        dependencies=TRADER,
        summary="Place an order; the answer is its state after matching, with its fills",
        responses={200: {"model": PlacedOut, "description": "an Idempotency-Key replay"}},
        route_class_override=placing.PlaceRoute,
    )

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

    async def cancel(
        order_id: OrderId, ctx: Ctx, who: CurrentIdentity, symbol: Symbol = None
    ) -> OrderOut:
        state = await orders.cancel_order(ctx, who.user_id, symbol=symbol, order_id=order_id)
        return order_out(ctx, state)

    # CancelRoute answers plain cancels without FastAPI's per-request work
    # (entrypoints/http/cancelling.py); everything else is this endpoint's.
    router.add_api_route(
        "/orders/{orderId}",
        cancel,
        methods=["DELETE"],
        response_model=OrderOut,
        dependencies=TRADER,
        summary="Cancel one of your open orders",
        route_class_override=CancelRoute,
    )

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
