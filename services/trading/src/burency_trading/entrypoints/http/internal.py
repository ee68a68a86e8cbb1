"""``GET /internal/v1/positions``: the trading wallets' totals for banking's reconciliation.

Service-to-service only: the gateway never routes ``/internal/*`` from outside, and the
caller must present a signed ``service:banking`` identity. Amounts are decimal strings
at each asset's scale.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from burency_common.api import ApiModel
from burency_common.errors import PermissionDenied, ServiceUnavailable, Unauthenticated
from burency_common.identity import identity_from_request
from burency_common.money import format_amount
from burency_common.web.openapi import problem_responses
from burency_trading.entrypoints.http.deps import Ctx

__all__ = ["POSITIONS_CALLERS", "internal_router"]

POSITIONS_CALLERS = frozenset({"service:banking"})


def _require_service(request: Request) -> None:
    caller = identity_from_request(request)
    if caller is None:
        raise Unauthenticated(code="INVALID_IDENTITY_HEADER")
    if caller.user_id not in POSITIONS_CALLERS or "service" not in caller.roles:
        raise PermissionDenied(code="NOT_AN_ALLOWED_SERVICE")


class PositionOut(ApiModel):
    users: str
    fees: str
    net_transferred: str
    balanced: bool


class PositionsOut(ApiModel):
    seq: int
    assets: dict[str, PositionOut]


def internal_router() -> APIRouter:
    router = APIRouter(prefix="/internal/v1", tags=["internal"])

    @router.get(
        "/positions",
        dependencies=[Depends(_require_service)],
        responses=problem_responses(401, 403, 503),
        summary="Per asset: users' spot balances, fees and net transferred (banking only)",
    )
    async def positions(ctx: Ctx) -> PositionsOut:
        if ctx.positions is None:
            raise ServiceUnavailable("positions are not available", code="POSITIONS_UNAVAILABLE")
        found = await ctx.positions()
        assets = {}
        for asset, p in sorted(found.assets.items()):
            scale = ctx.assets.get(asset).scale if asset in ctx.assets else 0
            assets[asset] = PositionOut(
                users=format_amount(p.users, scale),
                fees=format_amount(p.fees, scale),
                net_transferred=format_amount(p.net_transferred, scale),
                balanced=p.balanced,
            )
        return PositionsOut(seq=found.seq, assets=assets)

    return router
