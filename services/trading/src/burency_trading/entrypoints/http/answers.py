"""The two hot answers, ``POST /v1/orders`` and ``DELETE /v1/orders/{orderId}``, as JSON
bytes written directly with msgspec.

:func:`~.schemas.placed_out` / :func:`~.schemas.order_out` build pydantic models whose
``model_dump_json`` was a few percent of the event loop's time per order under load. These
functions write the same bytes (same camelCase keys in the same order, the same strings;
a property test compares them with the models' output) from the same fields, so the
OpenAPI schema stays the models' and every other route keeps using them.
"""

from __future__ import annotations

from typing import Any

import msgspec

from burency_common.money import format_amount
from burency_trading.entrypoints.http.schemas import order_fields
from burency_trading.service.context import TradingContext
from burency_trading.service.views import Fill, OrderState

__all__ = ["order_json", "placed_json"]

_encode = msgspec.json.Encoder().encode
_ORDER_KEYS = (
    ("symbol", "symbol"), ("order_id", "orderId"), ("client_order_id", "clientOrderId"),
    ("side", "side"), ("type", "type"), ("time_in_force", "timeInForce"), ("price", "price"),
    ("orig_qty", "origQty"), ("orig_quote_order_qty", "origQuoteOrderQty"),
    ("stop_price", "stopPrice"), ("executed_qty", "executedQty"),
    ("cummulative_quote_qty", "cummulativeQuoteQty"), ("commission", "commission"),
    ("commission_asset", "commissionAsset"), ("status", "status"), ("time", "time"),
    ("update_time", "updateTime"),
)  # fmt: skip


def _camel(state_fields: dict[str, object]) -> dict[str, Any]:
    out = {wire: state_fields[name] for name, wire in _ORDER_KEYS}
    out["side"] = str(out["side"])  # the Side enum's value
    return out


def order_json(ctx: TradingContext, state: OrderState) -> bytes:
    """``order_out(ctx, state).model_dump_json()``, encoded."""
    return _encode(_camel(order_fields(ctx, state)))


def placed_json(ctx: TradingContext, state: OrderState, fills: list[Fill]) -> bytes:
    """``placed_out(ctx, state, fills).model_dump_json()``, encoded."""
    spec = ctx.specs[state.market]
    grid = ctx.grid(state.market)
    scale, asset = spec.quote_scale, spec.quote
    answer = _camel(order_fields(ctx, state))
    answer["transactTime"] = state.updated_ts // 1000
    answer["fills"] = [
        {
            "tradeId": f.trade_id, "price": grid.format_price(f.price),
            "qty": grid.format_quantity(f.qty), "quoteQty": format_amount(f.quote_amount, scale),
            "commission": format_amount(f.fee, scale), "commissionAsset": asset,
            "isMaker": f.is_maker,
        }
        for f in fills
    ]  # fmt: skip
    return _encode(answer)
