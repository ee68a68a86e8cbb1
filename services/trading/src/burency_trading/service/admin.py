"""Staff use cases: halt/resume a market, change its fees, cancel a user's orders,
read the engine's health. Each is an engine command (journaled like any other) and an
entry in the audit log (``ctx.audit``: who, what, which object)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import msgspec

from burency_common.market_math import parse_fee_rate
from burency_common.money import AmountError
from burency_trading.domain._native import engine_build
from burency_trading.domain.model import (
    Command,
    MarketChanged,
    MarketSpec,
    MarketStatus,
    OrderRejected,
    SetMarketFees,
    SetMarketStatus,
)
from burency_trading.service.context import TradingContext
from burency_trading.service.errors import amount_error, invalid, rejected
from burency_trading.service.orders import cancel_all, resolve_market
from burency_trading.service.views import OrderState

__all__ = [
    "cancel_user_orders",
    "engine_health",
    "set_market_fees",
    "set_market_status",
]


async def _market_command(ctx: TradingContext, command: Command) -> MarketSpec:
    result = await ctx.engine.submit(command)
    spec = None
    for event in result.events:
        if isinstance(event, OrderRejected):
            raise rejected(event.reason)
        if isinstance(event, MarketChanged):
            spec = event.spec
    if spec is None:  # nothing changed (already in that state): read it back
        symbol = getattr(command, "market", "")
        specs = await ctx.engine.query(lambda e: e.markets())
        spec = next(s for s in specs if s.symbol == symbol)
    return spec


async def set_market_status(
    ctx: TradingContext, actor: str, symbol: str, status: MarketStatus
) -> MarketSpec:
    market = resolve_market(ctx, symbol).symbol
    spec = await _market_command(ctx, SetMarketStatus(market=market, status=status))
    await ctx.audit.record(
        actor=actor, action="market.status", target=market, details={"status": str(status)}
    )
    return spec


def _rate(text: str, name: str) -> int:
    try:
        return parse_fee_rate(text)
    except AmountError as exc:
        raise amount_error(exc, name) from None


async def set_market_fees(
    ctx: TradingContext, actor: str, symbol: str, maker_fee: str, taker_fee: str
) -> MarketSpec:
    """Change a market's base maker/taker rates (fractions such as ``"0.001"``)."""
    market = resolve_market(ctx, symbol).symbol
    maker, taker = _rate(maker_fee, "makerFee"), _rate(taker_fee, "takerFee")
    for value, name in ((maker, "makerFee"), (taker, "takerFee")):
        if value < 0:
            raise invalid("FEE_RATE_OUT_OF_RANGE", "fee rates must be between 0 and 0.1", name)
    command = SetMarketFees(market=market, maker_ppm=maker, taker_ppm=taker)
    spec = await _market_command(ctx, command)
    details = {"maker_fee": maker_fee, "taker_fee": taker_fee}
    await ctx.audit.record(actor=actor, action="market.fees", target=market, details=details)
    return spec


async def cancel_user_orders(
    ctx: TradingContext, actor: str, user_id: str, symbol: str | None
) -> list[OrderState]:
    cancelled = await cancel_all(ctx, user_id, symbol, by_admin=True)
    details = {"market": symbol or "", "cancelled": len(cancelled)}
    await ctx.audit.record(actor=actor, action="orders.cancel_all", target=user_id, details=details)
    return cancelled


def engine_health(ctx: TradingContext) -> dict[str, Any]:
    """The runner's health as plain data (whatever its shape: dataclass, Struct, mapping)."""
    health = ctx.engine.health()
    build = {"engine_build": engine_build()["build"]}  # compiled (mypyc) or interpreted
    if dataclasses.is_dataclass(health) and not isinstance(health, type):
        return {**dataclasses.asdict(health), **build}
    if isinstance(health, msgspec.Struct):
        return {**msgspec.structs.asdict(health), **build}
    if isinstance(health, Mapping):
        return {**health, **build}
    return {"status": str(health), **build}
