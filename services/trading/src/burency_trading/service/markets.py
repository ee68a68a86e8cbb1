"""Read use cases: markets (live specs from the engine), balances, fee tier, history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from burency_common.errors import ValidationFailed
from burency_trading.domain.model import MarketSpec
from burency_trading.service.context import OrderRow, TradingContext, TransferRow
from burency_trading.service.orders import resolve_market
from burency_trading.service.views import OrderState, UserTrade, user_trades

__all__ = [
    "Balance",
    "FeeTierInfo",
    "balances",
    "fee_tier",
    "list_markets",
    "order_history",
    "trade_history",
    "transfer_history",
]


@dataclass(frozen=True, slots=True)
class Balance:
    asset: str
    available: int  # minor units
    locked: int


@dataclass(frozen=True, slots=True)
class FeeTierInfo:
    tier: int
    rates: dict[str, tuple[int, int]]  # symbol -> (maker ppm, taker ppm)


async def list_markets(ctx: TradingContext) -> list[MarketSpec]:
    """The engine's markets as they are now (status and fees change at run time)."""
    specs: Sequence[MarketSpec] = await ctx.engine.query(lambda e: e.markets())
    return sorted(specs, key=lambda s: s.symbol)


async def balances(ctx: TradingContext, user_id: str) -> list[Balance]:
    """The caller's trading balances, live from the engine: every configured asset
    (zero when never funded), then any other the engine holds."""
    held: Mapping[str, tuple[int, int]] = await ctx.engine.query(lambda e: e.balances(user_id))
    assets = ctx.assets.symbols() + sorted(a for a in held if a not in ctx.assets)
    return [Balance(a, *held.get(a, (0, 0))) for a in assets]


async def fee_tier(ctx: TradingContext, user_id: str) -> FeeTierInfo:
    symbols = sorted(ctx.specs)

    def read(engine: Any) -> FeeTierInfo:
        rates = {}
        known = {spec.symbol for spec in engine.markets()}
        for symbol in (s for s in symbols if s in known):
            maker, taker = engine.fee_rates(user_id, symbol)
            rates[symbol] = (int(maker), int(taker))
        return FeeTierInfo(int(engine.user_tier(user_id)), rates)

    return await ctx.engine.query(read)


def _limit(ctx: TradingContext, limit: int) -> int:
    return max(1, min(limit, ctx.settings.page_size_max))


def _cursor_error() -> ValidationFailed:
    return ValidationFailed("the cursor is not valid", code="INVALID_CURSOR")


async def order_history(
    ctx: TradingContext, user_id: str, symbol: str | None, limit: int, cursor: str | None
) -> tuple[list[OrderState], str | None]:
    market = resolve_market(ctx, symbol).symbol if symbol else None
    await ctx.history_caught_up()
    try:
        rows, nxt = await ctx.history.list_orders(
            user_id, market=market, open_only=False, limit=_limit(ctx, limit), cursor=cursor
        )
    except ValueError:
        raise _cursor_error() from None
    return [OrderState.of(r) for r in rows if _owned(r, user_id)], nxt


def _owned(row: OrderRow, user_id: str) -> bool:
    return row.user_id == user_id


async def trade_history(
    ctx: TradingContext, user_id: str, symbol: str | None, limit: int, cursor: str | None
) -> tuple[list[UserTrade], str | None]:
    market = resolve_market(ctx, symbol).symbol if symbol else None
    await ctx.history_caught_up()
    try:
        rows, nxt = await ctx.history.list_trades(
            user_id, market=market, limit=_limit(ctx, limit), cursor=cursor
        )
    except ValueError:
        raise _cursor_error() from None
    return user_trades(rows), nxt


async def transfer_history(
    ctx: TradingContext, user_id: str, limit: int, cursor: str | None
) -> tuple[list[TransferRow], str | None]:
    await ctx.history_caught_up()
    try:
        rows, nxt = await ctx.history.list_transfers(
            user_id, limit=_limit(ctx, limit), cursor=cursor
        )
    except ValueError:
        raise _cursor_error() from None
    return [r for r in rows if r.user_id == user_id], nxt
