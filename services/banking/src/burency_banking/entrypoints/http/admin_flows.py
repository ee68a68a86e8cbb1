"""Staff operations on deposits and withdrawals (``/v1/admin/...``).

Deposit decisions need ``deposits.approve``, withdrawal decisions
``withdrawals.approve``. Decisions that move money (approving a deposit, rejecting a
withdrawal, marking a payout paid) take an ``Idempotency-Key``; every decision is
audit-logged and notified in the transaction that makes it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.entrypoints.http.deposit_withdrawal_models import (
    Cursor,
    FiatApproveIn,
    FiatDepositOut,
    FiatDepositsPage,
    FlowsDep,
    Limit,
    MarkPaidIn,
    ReasonIn,
    WithdrawalOut,
    WithdrawalsPage,
    fiat_out,
    withdrawal_out,
)
from burency_banking.entrypoints.http.idempotency import IdempotencyKey, idempotent
from burency_banking.flows import fiat_deposits
from burency_banking.flows import withdrawals as flow
from burency_common.identity import Identity
from burency_common.money import parse_money
from burency_common.permissions import require_permission
from burency_common.web.openapi import problem_responses

__all__ = ["admin_flows_router"]

DepositApprover = Annotated[Identity, Depends(require_permission("deposits.approve"))]
WithdrawalApprover = Annotated[Identity, Depends(require_permission("withdrawals.approve"))]
ObjectId = Annotated[str, Path(min_length=1, max_length=64)]
DepositStatus = Literal["PENDING", "APPROVED", "REJECTED"]
WithdrawalStatus = Literal[
    "PENDING_APPROVAL",
    "QUEUED",
    "PROCESSING",
    "BROADCAST",
    "COMPLETED",
    "REJECTED",
    "CANCELLED",
    "FAILED",
]
_DECIDE = problem_responses(400, 404, 409, 422)


async def list_deposits(
    flows: FlowsDep,
    staff: DepositApprover,
    status: Annotated[DepositStatus | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FiatDepositsPage:
    async with flows.ctx.engine.connect() as db:
        found, nxt = await fiat_deposits.list_for_staff(
            db, status=status, limit=limit, cursor=cursor
        )
    return FiatDepositsPage(items=[fiat_out(flows.ctx.assets, d) for d in found], next_cursor=nxt)


async def approve_deposit(
    deposit_id: ObjectId,
    body: FiatApproveIn,
    key: IdempotencyKey,
    flows: FlowsDep,
    staff: DepositApprover,
) -> JSONResponse:
    async def action(db: AsyncConnection) -> FiatDepositOut:
        deposit = await fiat_deposits.get(db, deposit_id)
        amount = (
            None
            if body.amount is None
            else parse_money(flows.ctx.assets, deposit.asset, body.amount)
        )
        done = await fiat_deposits.approve(
            flows, db, deposit_id=deposit_id, actor_id=staff.user_id, amount=amount
        )
        return fiat_out(flows.ctx.assets, done)

    return await idempotent(
        flows.ctx,
        key,
        user_id=staff.user_id,
        scope="deposits.approve",
        request={"depositId": deposit_id, **body.model_dump(mode="json")},
        action=action,
        status_code=200,
    )


async def reject_deposit(
    deposit_id: ObjectId, body: ReasonIn, flows: FlowsDep, staff: DepositApprover
) -> FiatDepositOut:
    async with flows.ctx.transaction() as db:
        done = await fiat_deposits.reject(
            flows, db, deposit_id=deposit_id, actor_id=staff.user_id, reason=body.reason
        )
    return fiat_out(flows.ctx.assets, done)


async def list_withdrawals(
    flows: FlowsDep,
    staff: WithdrawalApprover,
    status: Annotated[WithdrawalStatus | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> WithdrawalsPage:
    async with flows.ctx.engine.connect() as db:
        found, nxt = await flow.list_for_staff(db, status=status, limit=limit, cursor=cursor)
    return WithdrawalsPage(
        items=[withdrawal_out(flows.ctx.assets, w) for w in found], next_cursor=nxt
    )


async def approve_withdrawal(
    withdrawal_id: ObjectId, flows: FlowsDep, staff: WithdrawalApprover
) -> WithdrawalOut:
    async with flows.ctx.transaction() as db:
        done = await flow.approve(flows, db, withdrawal_id=withdrawal_id, actor_id=staff.user_id)
    return withdrawal_out(flows.ctx.assets, done)


async def reject_withdrawal(
    withdrawal_id: ObjectId,
    body: ReasonIn,
    key: IdempotencyKey,
    flows: FlowsDep,
    staff: WithdrawalApprover,
) -> JSONResponse:
    async def action(db: AsyncConnection) -> WithdrawalOut:
        done = await flow.reject(
            flows, db, withdrawal_id=withdrawal_id, actor_id=staff.user_id, reason=body.reason
        )
        return withdrawal_out(flows.ctx.assets, done)

    return await idempotent(
        flows.ctx,
        key,
        user_id=staff.user_id,
        scope="withdrawals.reject",
        request={"withdrawalId": withdrawal_id, "reason": body.reason},
        action=action,
        status_code=200,
    )


async def mark_paid(
    withdrawal_id: ObjectId,
    body: MarkPaidIn,
    key: IdempotencyKey,
    flows: FlowsDep,
    staff: WithdrawalApprover,
) -> JSONResponse:
    async def action(db: AsyncConnection) -> WithdrawalOut:
        done = await flow.mark_paid(
            flows,
            db,
            withdrawal_id=withdrawal_id,
            actor_id=staff.user_id,
            bank_reference=body.bank_reference,
        )
        return withdrawal_out(flows.ctx.assets, done)

    return await idempotent(
        flows.ctx,
        key,
        user_id=staff.user_id,
        scope="withdrawals.mark_paid",
        request={"withdrawalId": withdrawal_id, "bankReference": body.bank_reference},
        action=action,
        status_code=200,
    )


def admin_flows_router() -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=problem_responses(401, 403))
    add = router.add_api_route
    add(
        "/deposits/fiat",
        list_deposits,
        methods=["GET"],
        summary="Fiat deposit requests (review queue: status=PENDING)",
    )
    add(
        "/deposits/fiat/{deposit_id}/approve",
        approve_deposit,
        methods=["POST"],
        response_model=FiatDepositOut,
        responses=_DECIDE,
        summary="Approve: credit the amount received",
    )
    add(
        "/deposits/fiat/{deposit_id}/reject",
        reject_deposit,
        methods=["POST"],
        responses=_DECIDE,
        summary="Reject with a reason (nothing is credited)",
    )
    add(
        "/withdrawals",
        list_withdrawals,
        methods=["GET"],
        summary="Withdrawals (approval queue: status=PENDING_APPROVAL)",
    )
    add(
        "/withdrawals/{withdrawal_id}/approve",
        approve_withdrawal,
        methods=["POST"],
        responses=_DECIDE,
        summary="Approve a withdrawal above the threshold (it is then processed)",
    )
    add(
        "/withdrawals/{withdrawal_id}/reject",
        reject_withdrawal,
        methods=["POST"],
        response_model=WithdrawalOut,
        responses=_DECIDE,
        summary="Reject a withdrawal: its hold is released",
    )
    add(
        "/withdrawals/{withdrawal_id}/mark-paid",
        mark_paid,
        methods=["POST"],
        response_model=WithdrawalOut,
        responses=_DECIDE,
        summary="A bank payout was sent: complete the withdrawal",
    )
    return router
