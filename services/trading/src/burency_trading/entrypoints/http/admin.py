"""Staff routes (``/v1/admin/...``): market status and fees, a user's orders, the
engine's health and the fee schedule. Reads need ``trading.read`` (support and up),
changes ``trading.admin`` (admins); API keys never pass. Every change is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic.alias_generators import to_camel

from burency_common.api import ApiModel, Page
from burency_common.identity import Identity
from burency_common.permissions import require_permission
from burency_common.timeutil import to_iso_ms
from burency_common.web.openapi import problem_responses
from burency_trading.entrypoints.http.account import tier_table
from burency_trading.entrypoints.http.deps import ADMIN_READ, Ctx, Symbol
from burency_trading.entrypoints.http.schemas import (
    FeesIn,
    MarketOut,
    MarketStatusIn,
    OrderOut,
    TierOut,
    market_out,
    order_out,
)
from burency_trading.service import admin, markets

__all__ = ["admin_router"]

Staff = Annotated[Identity, Depends(require_permission("trading.admin"))]
MarketPath = Annotated[
    str,
    Path(
        alias="symbol",
        max_length=32,
        description='the market without its slash, "BTCAED" (a path cannot hold "/")',
    ),
]
UserPath = Annotated[str, Path(alias="userId", min_length=1, max_length=64)]


class AuditOut(ApiModel):
    id: str
    actor_id: str
    action: str
    target: str
    details: dict[str, Any]
    created_at: str  # ISO 8601 UTC, milliseconds


def _audit_out(row: dict[str, Any]) -> AuditOut:
    details = {to_camel(key): value for key, value in row["details"].items()}
    return AuditOut.model_validate(
        {**row, "details": details, "created_at": to_iso_ms(row["created_at"])}
    )


class FeeScheduleOut(ApiModel):
    volume_asset: str
    volume_days: int
    markets: list[MarketOut]
    tiers: list[TierOut]


def admin_router() -> APIRouter:
    router = APIRouter(
        prefix="/v1/admin", tags=["admin"], responses=problem_responses(401, 403, 409, 503)
    )

    @router.get(
        "/engine",
        dependencies=ADMIN_READ,
        summary="The engine's health: sequence, journal and sink lag, snapshot age, queue",
    )
    async def engine(ctx: Ctx) -> dict[str, Any]:
        return {to_camel(k): v for k, v in admin.engine_health(ctx).items()}

    @router.get(
        "/fee-schedule",
        response_model=FeeScheduleOut,
        dependencies=ADMIN_READ,
        summary="Every market's base rates and the volume tiers",
    )
    async def fee_schedule(ctx: Ctx) -> FeeScheduleOut:
        specs = await markets.list_markets(ctx)
        return FeeScheduleOut(
            volume_asset=ctx.settings.fee_volume_asset,
            volume_days=ctx.settings.fee_volume_days,
            markets=[market_out(ctx, s) for s in specs if s.symbol in ctx.specs],
            tiers=tier_table(ctx),
        )

    @router.put(
        "/markets/{symbol}/status",
        response_model=MarketOut,
        summary="Halt, resume or set a market cancel-only",
    )
    async def market_status(
        symbol: MarketPath, body: MarketStatusIn, ctx: Ctx, who: Staff
    ) -> MarketOut:
        spec = await admin.set_market_status(ctx, who.user_id, symbol, body.status)
        return market_out(ctx, spec)

    @router.put("/markets/{symbol}/fees", response_model=MarketOut, summary="A market's fees")
    async def market_fees(symbol: MarketPath, body: FeesIn, ctx: Ctx, who: Staff) -> MarketOut:
        spec = await admin.set_market_fees(ctx, who.user_id, symbol, body.maker_fee, body.taker_fee)
        return market_out(ctx, spec)

    @router.delete(
        "/users/{userId}/open-orders",
        response_model=Page[OrderOut],
        summary="Cancel a user's open orders (in one market, or everywhere)",
    )
    async def cancel_user_orders(
        user_id: UserPath, ctx: Ctx, who: Staff, symbol: Symbol = None
    ) -> Page[OrderOut]:
        states = await admin.cancel_user_orders(ctx, who.user_id, user_id, symbol)
        return Page[OrderOut](items=[order_out(ctx, s) for s in states])

    @router.get(
        "/audit",
        response_model=Page[AuditOut],
        summary="Staff actions on trading, newest first (who, what, which object)",
    )
    async def audit(
        ctx: Ctx,
        _: Staff,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        cursor: Annotated[str | None, Query(max_length=36, pattern=r"^[0-9a-f-]{36}$")] = None,
        target: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    ) -> Page[AuditOut]:
        rows = await ctx.audit.recent(limit=limit, before_id=cursor, target=target)
        items = [_audit_out(row) for row in rows]
        next_cursor = items[-1].id if len(items) == limit else None
        return Page[AuditOut](items=items, next_cursor=next_cursor)

    return router
