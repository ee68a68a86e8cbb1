"""``POST /v1/orders``: the placement itself, and its route without FastAPI's per-request work.

Placing is the one hot write of the API (bots place and cancel all day), and FastAPI's
machinery (dependency resolution, pydantic validation of the body and again of the
answer) cost more CPU than matching and journaling the order. :class:`PlaceRoute` is
the route's ``APIRoute`` class: everything FastAPI derives from the declaration stays
(OpenAPI, the route walk's ``TRADER`` dependencies), only the request handler changes.

The fast handler takes a request whose ``Content-Type`` is ``application/json`` and
whose body msgspec decodes into :class:`OrderBody`, a mirror of
:class:`~burency_trading.entrypoints.http.schemas.OrderIn` with the same fields,
aliases, patterns and lengths (unknown fields refused). It runs the very dependency
functions the route declares (identity, ``trade`` scope, verified e-mail, in FastAPI's
order), places the order with :func:`place`, the function the FastAPI endpoint calls,
and answers the same JSON. Anything else (another content type, a body msgspec refuses,
snake_case field names that pydantic also accepts) goes to FastAPI's own handler, so
every validation error is FastAPI's, byte for byte. msgspec is only ever stricter:
its patterns are anchored with ``\\A``/``\\Z`` (``$`` would let a final newline in).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import msgspec
from fastapi import Request, Response
from fastapi.routing import APIRoute

from burency_common.errors import BadRequest
from burency_common.idempotency.http import REPLAYED_HEADER
from burency_common.identity import Identity
from burency_trading.domain.model import Side, StpMode, TimeInForce
from burency_trading.entrypoints.http.answers import placed_json
from burency_trading.entrypoints.http.deps import TRADER, get_ctx
from burency_trading.entrypoints.http.schemas import (
    CLIENT_ORDER_ID,
    OrderIn,
    OrderTypeIn,
    PlacedOut,
    placed_out,
)
from burency_trading.service import orders
from burency_trading.service.context import TradingContext
from burency_trading.service.orders import OrderRequest, Placement

__all__ = ["OrderBody", "PlaceRoute", "place", "plain_order"]

_CLIENT_ID = re.compile(CLIENT_ORDER_ID)
_DECIMAL = r"\A-?[0-9]{1,30}(\.[0-9]{1,30})?\Z"  # schemas._DECIMAL, strictly anchored
Decimal = Annotated[str, msgspec.Meta(max_length=64, pattern=_DECIMAL)]
ClientId = Annotated[str, msgspec.Meta(pattern=r"\A[A-Za-z0-9_-]{1,36}\Z")]


class OrderBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    """:class:`OrderIn` for msgspec (camelCase only; see the module's docstring)."""

    symbol: Annotated[str, msgspec.Meta(max_length=32)]
    side: Side
    type: OrderTypeIn
    time_in_force: TimeInForce | None = None
    quantity: Decimal | None = None
    quote_order_qty: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    new_client_order_id: ClientId | None = None
    self_trade_prevention_mode: StpMode = StpMode.EXPIRE_TAKER


_DECODER = msgspec.json.Decoder(OrderBody)


def _client_order_id(body: OrderIn | OrderBody, key: str | None) -> str:
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


async def place(
    ctx: TradingContext, who: Identity, body: OrderIn | OrderBody, key: str | None
) -> tuple[PlacedOut, bool]:
    """Place ``body`` for ``who``: the answer, and whether it is an Idempotency-Key replay."""
    placed, replayed = await placement(ctx, who, body, key)
    return placed_out(ctx, placed.order, placed.fills), replayed


async def place_encoded(
    ctx: TradingContext, who: Identity, body: OrderIn | OrderBody, key: str | None
) -> tuple[bytes, bool]:
    """:func:`place` with the answer as JSON bytes (the same bytes, written directly)."""
    placed, replayed = await placement(ctx, who, body, key)
    return placed_json(ctx, placed.order, placed.fills), replayed


async def placement(
    ctx: TradingContext, who: Identity, body: OrderIn | OrderBody, key: str | None
) -> tuple[Placement, bool]:
    request = OrderRequest(
        symbol=body.symbol,
        side=body.side,
        type=body.type.value,
        tif=body.time_in_force,
        quantity=body.quantity,
        quote_order_qty=body.quote_order_qty,
        price=body.price,
        stop_price=body.stop_price,
        client_order_id=_client_order_id(body, key),
        stp=body.self_trade_prevention_mode,
    )
    if key is None:
        return await orders.place_order(ctx, who.user_id, request), False
    return await orders.place_idempotent(ctx, who.user_id, request)


def plain_order(content_type: str | None, body: bytes) -> OrderBody | None:
    """The order when the request is the plain case (a JSON body msgspec accepts), else
    None: FastAPI's handler answers. Shared with the embedded gateway's direct route."""
    if content_type is None or content_type.partition(";")[0].strip().lower() != (
        "application/json"
    ):
        return None
    try:
        return _DECODER.decode(body)
    except msgspec.MsgspecError:
        return None


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class PlaceRoute(APIRoute):
    """The ``POST /v1/orders`` route: FastAPI's declaration, a lighter handler."""

    def get_route_handler(self) -> Handler:
        fastapi_handler = super().get_route_handler()
        checks = [depends.dependency for depends in TRADER]  # scope, then verified e-mail
        status = self.status_code or 201

        async def handler(request: Request) -> Response:
            content_type = request.headers.get("content-type")
            # FastAPI's validation answers anything else (the body is cached)
            body = plain_order(content_type, await request.body()) if content_type else None
            if body is None:
                return await fastapi_handler(request)
            who: Identity | None = None
            for check in checks:
                assert check is not None
                who = await check(request)
            assert who is not None  # the checks raise 401 without an identity
            key = request.headers.get("idempotency-key")
            answer, replayed = await place_encoded(await get_ctx(request), who, body, key)
            if replayed:
                return Response(
                    answer, 200, {REPLAYED_HEADER: "true"}, media_type="application/json"
                )
            return Response(answer, status, media_type="application/json")

        return handler
