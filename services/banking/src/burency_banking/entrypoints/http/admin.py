"""Staff endpoints of the banking service (``/v1/admin/**``, staff roles at the gateway)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from burency_banking.entrypoints.http.deps import Ctx
from burency_banking.entrypoints.http.schemas import ReconciliationOut, reconciliation_out
from burency_banking.service.reconciliation import reconcile
from burency_common.identity import Identity
from burency_common.permissions import require_permission
from burency_common.web.openapi import problem_responses

__all__ = ["admin_router"]

Reconciler = Annotated[Identity, Depends(require_permission("banking.reconcile"))]


def admin_router() -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["admin"])

    @router.get(
        "/reconciliation",
        summary="Prove per asset: sums to zero, no negative user account, caches and holds",
        responses=problem_responses(401, 403),
    )
    async def reconciliation(ctx: Ctx, _staff: Reconciler) -> ReconciliationOut:
        async with ctx.transaction() as db:
            report = await reconcile(
                db, assets=ctx.assets.symbols(), checks=ctx.reconciliation_checks
            )
        return reconciliation_out(report)

    return router
