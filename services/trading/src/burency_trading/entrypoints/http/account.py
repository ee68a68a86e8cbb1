"""Read routes: markets (public), and the caller's balances, fee tier and history.

``GET /v1/markets`` is public at the gateway (``/v1/markets*``); everything else needs a
signed-in caller. A user's own fills are under ``/v1/my-trades``: ``/v1/trades*`` is the
gateway's public market-data prefix.
"""

from __future__ import annotations

from fastapi import APIRouter

from burency_common.api import Page
from burency_common.money import format_amount
from burency_common.web.openapi import problem_responses
from burency_trading.entrypoints.http.deps import Ctx, CurrentIdentity, Cursor, Limit, Symbol
from burency_trading.entrypoints.http.schemas import (
    BalanceOut,
    FeeTierOut,
    MarketFeeOut,
    MarketOut,
    OrderOut,
    TierOut,
    TradeOut,
    TransferOut,
    market_out,
    order_out,
    rate,
    trade_out,
    transfer_out,
)
from burency_trading.service import markets
from burency_trading.service.context import TradingContext
from burency_trading.settings import fee_schedule, fee_tier_thresholds

__all__ = ["account_router", "public_router", "tier_table"]


def public_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["markets"], responses=problem_responses(503))

    @router.get("/markets", response_model=Page[MarketOut], summary="Markets and their rules")
    async def list_markets(ctx: Ctx) -> Page[MarketOut]:
        specs = await markets.list_markets(ctx)
        return Page[MarketOut](items=[market_out(ctx, s) for s in specs if s.symbol in ctx.specs])

    return router


def tier_table(ctx: TradingContext) -> list[TierOut]:
    """The configured fee tiers above the markets' own rates (tier 0)."""
    scale = ctx.assets.get(ctx.settings.fee_volume_asset).scale
    volumes = {tier: volume for volume, tier in fee_tier_thresholds(ctx.settings)}
    return [
        TierOut(
            tier=t.tier,
            min_volume=format_amount(volumes[t.tier], scale, trim=True),
            maker_fee=rate(t.maker_ppm),
            taker_fee=rate(t.taker_ppm),
        )
        for t in fee_schedule(ctx.settings)
    ]


def account_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["account"], responses=problem_responses(401, 403, 503))

    @router.get("/balances", response_model=Page[BalanceOut], summary="Your spot balances")
    async def balances(ctx: Ctx, who: CurrentIdentity) -> Page[BalanceOut]:
        rows = await markets.balances(ctx, who.user_id)
        items = [
            BalanceOut(
                asset=b.asset,
                free=format_amount(b.available, ctx.assets.get(b.asset).scale),
                locked=format_amount(b.locked, ctx.assets.get(b.asset).scale),
            )
            for b in rows
            if b.asset in ctx.assets
        ]
        return Page[BalanceOut](items=items)

    @router.get("/fee-tier", response_model=FeeTierOut, summary="Your fee tier and rates")
    async def fee_tier(ctx: Ctx, who: CurrentIdentity) -> FeeTierOut:
        info = await markets.fee_tier(ctx, who.user_id)
        return FeeTierOut(
            tier=info.tier,
            volume_asset=ctx.settings.fee_volume_asset,
            volume_days=ctx.settings.fee_volume_days,
            markets=[
                MarketFeeOut(symbol=s, maker_fee=rate(m), taker_fee=rate(t))
                for s, (m, t) in sorted(info.rates.items())
            ],
            tiers=tier_table(ctx),
        )

    @router.get(
        "/order-history", response_model=Page[OrderOut], summary="Your orders, newest first"
    )
    async def order_history(
        ctx: Ctx,
        who: CurrentIdentity,
        symbol: Symbol = None,
        limit: Limit = 100,
        cursor: Cursor = None,
    ) -> Page[OrderOut]:
        rows, nxt = await markets.order_history(ctx, who.user_id, symbol, limit, cursor)
        items = [order_out(ctx, r) for r in rows if r.market in ctx.specs]
        return Page[OrderOut](items=items, next_cursor=nxt)

    @router.get("/my-trades", response_model=Page[TradeOut], summary="Your fills, newest first")
    async def my_trades(
        ctx: Ctx,
        who: CurrentIdentity,
        symbol: Symbol = None,
        limit: Limit = 100,
        cursor: Cursor = None,
    ) -> Page[TradeOut]:
        rows, nxt = await markets.trade_history(ctx, who.user_id, symbol, limit, cursor)
        items = [trade_out(ctx, t) for t in rows if t.market in ctx.specs]
        return Page[TradeOut](items=items, next_cursor=nxt)

    @router.get(
        "/transfers",
        response_model=Page[TransferOut],
        summary="Your transfers between the funding and the spot wallet, newest first",
    )
    async def transfers(
        ctx: Ctx, who: CurrentIdentity, limit: Limit = 100, cursor: Cursor = None
    ) -> Page[TransferOut]:
        rows, nxt = await markets.transfer_history(ctx, who.user_id, limit, cursor)
        return Page[TransferOut](items=[transfer_out(ctx, r) for r in rows], next_cursor=nxt)

    return router
