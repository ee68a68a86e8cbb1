"""The order routes as direct routes for the embedded gateway (:mod:`burency_common.direct`).

``POST /v1/orders`` and ``DELETE /v1/orders/{orderId}``, the two hot writes, answered
without the service's own ASGI stack when the gateway runs in the same process. They
are the plain cases of :class:`~burency_trading.entrypoints.http.placing.PlaceRoute`
and :class:`~burency_trading.entrypoints.http.cancelling.CancelRoute`, with the same
checks in the same order (the ``trade`` scope, then a verified e-mail: the route's
``TRADER`` dependencies), the same service functions and the same JSON; anything else
returns ``None`` and the gateway sends the request through the app, whose FastAPI
handler explains it.
"""

from __future__ import annotations

import re

from burency_common.direct import DirectRequest, DirectResponse, DirectRoute, DirectRoutes
from burency_common.idempotency.http import REPLAYED_HEADER
from burency_common.identity import check_scope, check_verified_email
from burency_trading.entrypoints.http.answers import order_json
from burency_trading.entrypoints.http.cancelling import plain_cancel
from burency_trading.entrypoints.http.placing import place_encoded, plain_order
from burency_trading.service import orders
from burency_trading.service.context import TradingContext

__all__ = ["direct_routes"]

_REPLAYED = ((REPLAYED_HEADER, "true"),)


def direct_routes(ctx: TradingContext) -> DirectRoutes:
    """The trading service's direct routes, bound to its context."""

    async def place_order(request: DirectRequest) -> DirectResponse | None:
        body = plain_order(request.header(b"content-type"), request.body)
        if body is None:
            return None  # FastAPI's validation explains it
        who = check_verified_email(check_scope(request.identity, "trade"))
        key = request.header(b"idempotency-key")
        answer, replayed = await place_encoded(ctx, who, body, key)
        if replayed:
            return DirectResponse(200, answer, headers=_REPLAYED)
        return DirectResponse(201, answer)

    async def cancel_order(request: DirectRequest) -> DirectResponse | None:
        plain = plain_cancel(request.params.get("orderId"), request.query)
        if plain is None:
            return None
        order_id, symbol = plain
        who = check_verified_email(check_scope(request.identity, "trade"))
        state = await orders.cancel_order(ctx, who.user_id, symbol=symbol, order_id=order_id)
        return DirectResponse(200, order_json(ctx, state))

    return DirectRoutes(
        [
            DirectRoute("POST", re.compile(r"/v1/orders"), place_order),
            DirectRoute("DELETE", re.compile(r"/v1/orders/(?P<orderId>[^/]+)"), cancel_order),
        ]
    )
