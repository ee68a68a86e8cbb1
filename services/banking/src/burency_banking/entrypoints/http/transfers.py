"""Money-moving POSTs of the caller: internal transfers and transfers to trading.

Both require an ``Idempotency-Key`` (see :mod:`burency_banking.entrypoints.http.idempotency`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.domain.model import Transfer
from burency_banking.entrypoints.http.deps import Ctx, CurrentIdentity, needs_scope
from burency_banking.entrypoints.http.idempotency import IdempotencyKey, idempotent
from burency_banking.entrypoints.http.schemas import (
    InternalTransferIn,
    InternalTransferOut,
    TradingTransferIn,
    TradingTransferOut,
)
from burency_banking.service import saga, transfers
from burency_banking.service.context import BankingContext
from burency_common.identity import require_verified_email
from burency_common.money import format_amount
from burency_common.timeutil import to_iso_ms
from burency_common.web.openapi import problem_responses

__all__ = ["transfers_router"]

_SAGA_STATUS = {"pending": "pending", "posted": "completed", "voided": "failed"}


def trading_out(ctx: BankingContext, hold: Transfer) -> TradingTransferOut:
    return TradingTransferOut(
        id=hold.id,
        status=_SAGA_STATUS.get(hold.status, hold.status),
        asset=hold.asset,
        amount=format_amount(hold.amount, ctx.assets.get(hold.asset)),
        created_at=to_iso_ms(hold.created_at),
    )


def transfers_router() -> APIRouter:
    router = APIRouter(prefix="/v1/transfers", tags=["transfers"])

    @router.post(
        "/internal",
        status_code=201,
        response_model=InternalTransferOut,
        summary="Send money to another Burency user (by e-mail or user id), instantly",
        responses=problem_responses(400, 401, 403, 404, 409, 422),
        dependencies=[*needs_scope("withdraw"), Depends(require_verified_email())],
    )
    async def internal(
        body: InternalTransferIn, key: IdempotencyKey, ctx: Ctx, identity: CurrentIdentity
    ) -> JSONResponse:
        async def action(db: AsyncConnection) -> InternalTransferOut:
            done = await transfers.internal_transfer(
                ctx, db, sender_id=identity.user_id, key=key, to_email=body.to_email,
                to_user_id=body.to_user_id, asset=body.asset, amount=body.amount,
                memo=body.memo,
            )  # fmt: skip
            t = done.transfer
            return InternalTransferOut(
                id=t.id,
                status="completed",
                asset=t.asset,
                amount=format_amount(t.amount, ctx.assets.get(t.asset)),
                to_user_id=done.recipient_id,
                memo=t.memo,
                created_at=to_iso_ms(t.created_at),
            )

        return await idempotent(ctx, key, user_id=identity.user_id, scope="transfers.internal",
                                request=body, action=action)  # fmt: skip

    _more_transfer_routes(router)
    return router


def _more_transfer_routes(router: APIRouter) -> None:
    """The remaining transfer routes."""

    @router.post(
        "/trading",
        status_code=202,
        response_model=TradingTransferOut,
        summary="Move money from my funding wallet to my trading wallet",
        description="The funds are held at once; the transfer completes when the trading "
        "core confirms, or fails and is refunded.",
        responses=problem_responses(400, 401, 403, 409, 422),
        dependencies=[*needs_scope("trade"), Depends(require_verified_email())],
    )
    async def to_trading(
        body: TradingTransferIn, key: IdempotencyKey, ctx: Ctx, identity: CurrentIdentity
    ) -> JSONResponse:
        async def action(db: AsyncConnection) -> TradingTransferOut:
            hold = await saga.start_to_trading(
                ctx, db, user_id=identity.user_id, key=key, asset=body.asset, amount=body.amount
            )
            return trading_out(ctx, hold)

        return await idempotent(ctx, key, user_id=identity.user_id, scope="transfers.trading",
                                request=body, action=action, status_code=202)  # fmt: skip

    @router.get(
        "/trading/{transfer_id}",
        summary="One of my funding → trading transfers",
        responses=problem_responses(401, 404),
    )
    async def get_trading(
        transfer_id: str, ctx: Ctx, identity: CurrentIdentity
    ) -> TradingTransferOut:
        hold = await saga.get_to_trading(ctx, user_id=identity.user_id, transfer_id=transfer_id)
        return trading_out(ctx, hold)
