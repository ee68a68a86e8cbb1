"""The caller's funding accounts: balances, transaction history, CSV statements.

No route takes a user id: each acts on the caller's identity.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from burency_banking.entrypoints.http.deps import Ctx, CurrentIdentity
from burency_banking.entrypoints.http.schemas import (
    AccountOut,
    TransactionOut,
    account_out,
    transaction_out,
)
from burency_banking.service import accounts, history
from burency_banking.service.context import BankingContext
from burency_common.api import Page
from burency_common.web.openapi import problem_responses

__all__ = ["accounts_router"]

Kind = Annotated[str | None, Query(max_length=32, description="only this kind")]
Since = Annotated[datetime | None, Query(alias="from", description="inclusive, ISO 8601")]
Until = Annotated[datetime | None, Query(alias="to", description="exclusive, ISO 8601")]


def accounts_router() -> APIRouter:
    router = APIRouter(prefix="/v1/accounts", tags=["accounts"])

    @router.get(
        "",
        summary="My funding accounts, one per asset: total, held and available",
        responses=problem_responses(401),
    )
    async def list_accounts(ctx: Ctx, identity: CurrentIdentity) -> list[AccountOut]:
        found = await accounts.list_accounts(ctx, user_id=identity.user_id)
        return [account_out(ctx.assets, a) for a in found]

    _history_route(router)
    _statement_route(router)
    return router


def _history_route(router: APIRouter) -> None:

    @router.get(
        "/{asset}/transactions",
        summary="My transactions in one asset, newest first (cursor pagination)",
        responses=problem_responses(401, 404, 422),
    )
    async def transactions(
        asset: str,
        *,
        ctx: Ctx,
        identity: CurrentIdentity,
        kind: Kind = None,
        since: Since = None,
        until: Until = None,
        cursor: Annotated[str | None, Query(max_length=512)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> Page[TransactionOut]:
        flt = history.HistoryFilter(kind=kind, since=since, until=until)
        return await history_out(ctx, identity.user_id, asset, flt, cursor=cursor, limit=limit)


async def history_out(
    ctx: BankingContext, user_id: str, asset: str, flt: history.HistoryFilter,
    *, cursor: str | None, limit: int,
) -> Page[TransactionOut]:  # fmt: skip
    """One page of a user's history as the API shows it (the user's and staff's views)."""
    entries, next_cursor = await history.history_page(
        ctx, user_id=user_id, asset=asset, flt=flt, cursor=cursor, limit=limit
    )
    items = [transaction_out(ctx.assets, e) for e in entries]
    return Page[TransactionOut](items=items, next_cursor=next_cursor)


def _statement_route(router: APIRouter) -> None:
    @router.get(
        "/{asset}/statement.csv",
        summary="My statement in one asset as CSV (streamed)",
        response_class=StreamingResponse,
        responses={
            200: {"content": {"text/csv": {}}, "description": "the statement"},
            **problem_responses(401, 404, 422),
        },
    )
    async def statement(
        asset: str,
        *,
        ctx: Ctx,
        identity: CurrentIdentity,
        kind: Kind = None,
        since: Since = None,
        until: Until = None,
    ) -> StreamingResponse:
        lines = await history.statement_csv(
            ctx,
            user_id=identity.user_id,
            asset=asset,
            flt=history.HistoryFilter(kind=kind, since=since, until=until),
        )
        filename = f"burency-{asset}-statement.csv"
        return StreamingResponse(
            lines,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
