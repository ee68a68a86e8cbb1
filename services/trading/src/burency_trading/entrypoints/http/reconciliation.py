"""``GET /v1/admin/reconciliation``: the engine's own books, per asset, for staff.

The engine keeps ``users + fees == net transferred`` by construction (a fill moves money
between two users and the fee account; only funding ↔ trading transfers bring money in
or take it out). This endpoint reads both sides *from the engine* (a read-only query on
its thread, between two batches: one consistent instant, at ``seq``), not from the SQL
projection, so it holds even while the projection is behind: operators (and the
distributed crash test) check it after a restart. The projection's totals are banking's
business (``GET /internal/v1/positions``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter

from burency_common.api import ApiModel
from burency_common.money import format_amount
from burency_common.web.openapi import problem_responses
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import FEES_ACCOUNT
from burency_trading.entrypoints.http.deps import ADMIN_READ, Ctx

__all__ = ["EngineBooks", "reconciliation_router"]


@dataclass(frozen=True)
class EngineBooks:
    """Per asset, minor units: every account (fees included), the fee account, and the
    net of transfers in - out + reversals; ``seq`` the last command they include."""

    seq: int
    totals: dict[str, int]
    fees: dict[str, int]
    net_transferred: dict[str, int]


def read_books(engine: Engine) -> EngineBooks:
    """Runs on the engine's thread (``ctx.engine.query``)."""
    fees = {asset: free + locked for asset, (free, locked) in engine.balances(FEES_ACCOUNT).items()}
    return EngineBooks(engine.last_seq, engine.totals(), fees, engine.net_transferred())


class AssetBooksOut(ApiModel):
    asset: str
    users: str
    fees: str
    total: str
    net_transferred: str
    balanced: bool


class ReconciliationOut(ApiModel):
    seq: int
    balanced: bool
    assets: list[AssetBooksOut]


def reconciliation_router() -> APIRouter:
    router = APIRouter(
        prefix="/v1/admin", tags=["admin"], responses=problem_responses(401, 403, 503)
    )

    @router.get(
        "/reconciliation",
        response_model=ReconciliationOut,
        dependencies=ADMIN_READ,
        summary="Per asset: users' spot balances + fees against the net transferred in",
    )
    async def reconciliation(ctx: Ctx) -> ReconciliationOut:
        books = await ctx.engine.query(read_books)
        rows = []
        for asset in sorted(set(books.totals) | set(books.net_transferred)):
            scale = ctx.assets.get(asset).scale if asset in ctx.assets else 0
            total, fees = books.totals.get(asset, 0), books.fees.get(asset, 0)
            net = books.net_transferred.get(asset, 0)
            rows.append(
                AssetBooksOut(
                    asset=asset,
                    users=format_amount(total - fees, scale),
                    fees=format_amount(fees, scale),
                    total=format_amount(total, scale),
                    net_transferred=format_amount(net, scale),
                    balanced=total == net,
                )
            )
        return ReconciliationOut(seq=books.seq, balanced=all(r.balanced for r in rows), assets=rows)

    return router
