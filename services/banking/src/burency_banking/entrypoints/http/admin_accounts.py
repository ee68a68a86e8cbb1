"""Staff view of one user's funding accounts and ledger history (permission
``banking.read``: support, compliance, admin), for answering "where is my money?".

Read-only; every view is logged with who looked at whose accounts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from burency_banking.entrypoints.http.accounts import Kind, Since, Until, history_out
from burency_banking.entrypoints.http.deps import Ctx
from burency_banking.entrypoints.http.schemas import (
    AccountOut,
    TransactionOut,
    account_out,
)
from burency_banking.service import accounts, history
from burency_common.api import Page
from burency_common.errors import NotFound
from burency_common.identity import Identity
from burency_common.logging import get_logger
from burency_common.permissions import require_permission
from burency_common.web.openapi import problem_responses

__all__ = ["admin_accounts_router"]

Reader = Annotated[Identity, Depends(require_permission("banking.read"))]
UserId = Annotated[str, Path(min_length=1, max_length=64)]
_log = get_logger("burency.banking")


def admin_accounts_router() -> APIRouter:
    router = APIRouter(prefix="/v1/admin/users/{user_id}/accounts", tags=["admin"])

    @router.get(
        "",
        summary="A user's funding accounts: total, held and available per asset",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def user_accounts(user_id: UserId, ctx: Ctx, staff: Reader) -> list[AccountOut]:
        async with ctx.engine.connect() as db:
            known = await accounts.user_exists(db, user_id)
        if not known:
            raise NotFound("no Burency user has this id", code="USER_NOT_FOUND")
        _log.info("banking.staff_viewed_accounts", actor_id=staff.user_id, user_id=user_id)
        found = await accounts.list_accounts(ctx, user_id=user_id)
        return [account_out(ctx.assets, a) for a in found]

    @router.get(
        "/{asset}/transactions",
        summary="A user's transactions in one asset, newest first (cursor pagination)",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def user_transactions(
        user_id: UserId,
        asset: str,
        *,
        ctx: Ctx,
        staff: Reader,
        kind: Kind = None,
        since: Since = None,
        until: Until = None,
        cursor: Annotated[str | None, Query(max_length=512)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> Page[TransactionOut]:
        flt = history.HistoryFilter(kind=kind, since=since, until=until)
        page = await history_out(ctx, user_id, asset, flt, cursor=cursor, limit=limit)
        # Logged once the page exists: a lookup of a missing account showed nothing.
        _log.info("banking.staff_viewed_transactions", actor_id=staff.user_id,
                  user_id=user_id, asset=asset)  # fmt: skip
        return page

    return router
