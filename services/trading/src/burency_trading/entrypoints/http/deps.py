"""FastAPI dependencies of the trading routes (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from burency_common.identity import (
    Identity,
    require_identity,
    require_scope,
    require_verified_email,
)
from burency_common.permissions import require_permission
from burency_trading.service.context import TradingContext

__all__ = [
    "ADMIN_READ",
    "ADMIN_WRITE",
    "TRADER",
    "Ctx",
    "CurrentIdentity",
    "Cursor",
    "Limit",
    "Symbol",
    "get_ctx",
]


async def get_ctx(request: Request) -> TradingContext:
    ctx = request.app.state.trading
    assert isinstance(ctx, TradingContext)
    return ctx


Ctx = Annotated[TradingContext, Depends(get_ctx)]
CurrentIdentity = Annotated[Identity, Depends(require_identity())]

TRADER: list[Any] = [Depends(require_scope("trade")), Depends(require_verified_email())]
"""``dependencies=`` of an order write: an API key needs the ``trade`` scope (checked
here from the signed identity too, not only at the gateway) and the account a verified
e-mail address."""

ADMIN_READ: list[Any] = [Depends(require_permission("trading.read"))]
ADMIN_WRITE: list[Any] = [Depends(require_permission("trading.admin"))]

Symbol = Annotated[
    str | None,
    Query(max_length=32, description='a market, "BTC/AED" (or "BTCAED"); all when absent'),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="page size (capped by the service)")]
Cursor = Annotated[str | None, Query(max_length=200, description="nextCursor of the previous page")]
