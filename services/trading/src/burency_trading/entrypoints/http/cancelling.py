"""``DELETE /v1/orders/{orderId}``: its route without FastAPI's per-request work.

The cancel is the order path's other hot write (a bot cancels about as often as it
places). Like :class:`~burency_trading.entrypoints.http.placing.PlaceRoute`,
:class:`CancelRoute` keeps the route's FastAPI declaration (OpenAPI, the route walk's
``TRADER`` dependencies) and only replaces the handler for the plain case: an
``orderId`` of 1..19 digits within 1..2^63-1 without a leading zero, and a query string
that is empty or one ``symbol`` of 1..32 characters, nothing else. Then the
route's own dependency functions run (identity, ``trade`` scope, verified e-mail, in
FastAPI's order), :func:`~burency_trading.service.orders.cancel_order` cancels, and the
answer is dumped once. Anything else (a repeated or unknown query parameter, a path
FastAPI would refuse or convert) goes to FastAPI's handler, so every validation error
stays FastAPI's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request, Response
from fastapi.routing import APIRoute

from burency_common.identity import Identity
from burency_trading.entrypoints.http.answers import order_json
from burency_trading.entrypoints.http.deps import TRADER, get_ctx
from burency_trading.service import orders

__all__ = ["CancelRoute", "plain_cancel"]

_ORDER_ID = re.compile(r"\A[1-9][0-9]{0,18}\Z")
_MAX_ORDER_ID = 2**63 - 1
_MAX_SYMBOL = 32
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def plain_cancel(raw_id: object, query: bytes) -> tuple[int, str | None] | None:
    """``(order id, symbol)`` when a cancel's path id and query are the plain case, else
    None (FastAPI's handler answers). Shared with the embedded gateway's direct route."""
    if not isinstance(raw_id, str) or not _ORDER_ID.match(raw_id):
        return None
    order_id = int(raw_id)
    if order_id > _MAX_ORDER_ID:
        return None
    if not query:
        return order_id, None
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    if len(pairs) != 1 or pairs[0][0] != "symbol" or not 0 < len(pairs[0][1]) <= _MAX_SYMBOL:
        return None
    return order_id, pairs[0][1]


class CancelRoute(APIRoute):
    """The ``DELETE /v1/orders/{orderId}`` route: FastAPI's declaration, a lighter handler."""

    def get_route_handler(self) -> Handler:
        fastapi_handler = super().get_route_handler()
        checks = [depends.dependency for depends in TRADER]  # scope, then verified e-mail

        async def handler(request: Request) -> Response:
            plain = plain_cancel(
                request.path_params.get("orderId"), request.scope.get("query_string", b"")
            )
            if plain is None:
                return await fastapi_handler(request)
            order_id, symbol = plain
            who: Identity | None = None
            for check in checks:
                assert check is not None
                who = await check(request)
            assert who is not None  # the checks raise 401 without an identity
            ctx = await get_ctx(request)
            state = await orders.cancel_order(ctx, who.user_id, symbol=symbol, order_id=order_id)
            return Response(order_json(ctx, state), media_type="application/json")

        return handler
