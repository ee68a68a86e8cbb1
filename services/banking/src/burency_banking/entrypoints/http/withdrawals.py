"""The caller's withdrawals: place (crypto or bank), list, limits, cancel.

Placing and cancelling move money, so they take an ``Idempotency-Key`` (the shared
helper: same key and body → the stored response). The 2FA code is checked with auth
before the withdrawal is placed, except when the key already has a stored answer (a
retry must not be refused because its code was spent by the first attempt); the code
is not part of the request fingerprint for the same reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.entrypoints.http.deposit_withdrawal_models import (
    CryptoWithdrawalIn,
    Cursor,
    FiatWithdrawalIn,
    FlowsDep,
    Limit,
    LimitOut,
    WithdrawalOut,
    WithdrawalsPage,
    withdrawal_out,
)
from burency_banking.entrypoints.http.deps import CurrentIdentity, needs_scope
from burency_banking.entrypoints.http.idempotency import IdempotencyKey, idempotent, respond
from burency_banking.flows import limits, placing
from burency_banking.flows import withdrawals as flow
from burency_banking.flows.context import Flows
from burency_common.identity import require_verified_email
from burency_common.money import format_amount, parse_money
from burency_common.web import client_ip
from burency_common.web.openapi import problem_responses

__all__ = ["withdrawals_router"]

WithdrawalId = Annotated[str, Path(min_length=1, max_length=64)]
_PLACE = problem_responses(400, 403, 409, 422, 429, 503)


def _fingerprint(body: CryptoWithdrawalIn | FiatWithdrawalIn) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude={"totp_code"})


async def _place(
    body: CryptoWithdrawalIn | FiatWithdrawalIn,
    destination: placing.Destination,
    *,
    key: str,
    request: Request,
    flows: Flows,
    user_id: str,
) -> JSONResponse:
    answer = await placing.place_withdrawal(
        flows, user_id=user_id, key=key, asset=body.asset,
        amount=parse_money(flows.ctx.assets, body.asset, body.amount), destination=destination,
        totp_code=body.totp_code, ip=client_ip(request), fingerprint=_fingerprint(body),
        render=lambda placed: withdrawal_out(flows.ctx.assets, placed),
    )  # fmt: skip
    return respond(answer)


async def place_crypto(
    body: CryptoWithdrawalIn,
    key: IdempotencyKey,
    request: Request,
    flows: FlowsDep,
    identity: CurrentIdentity,
) -> JSONResponse:
    destination = placing.CryptoDestination(body.network, body.address)
    return await _place(body, destination, key=key, request=request, flows=flows,
                        user_id=identity.user_id)  # fmt: skip


async def place_fiat(
    body: FiatWithdrawalIn,
    key: IdempotencyKey,
    request: Request,
    flows: FlowsDep,
    identity: CurrentIdentity,
) -> JSONResponse:
    destination = placing.BankDestination(body.iban, body.beneficiary_name)
    return await _place(body, destination, key=key, request=request, flows=flows,
                        user_id=identity.user_id)  # fmt: skip


async def list_mine(
    flows: FlowsDep, identity: CurrentIdentity, limit: Limit = 50, cursor: Cursor = None
) -> WithdrawalsPage:
    async with flows.ctx.engine.connect() as db:
        found, next_cursor = await flow.list_for_user(
            db, user_id=identity.user_id, limit=limit, cursor=cursor
        )
    items = [withdrawal_out(flows.ctx.assets, w) for w in found]
    return WithdrawalsPage(items=items, next_cursor=next_cursor)


async def my_limits(flows: FlowsDep, identity: CurrentIdentity) -> list[LimitOut]:
    out = []
    async with flows.ctx.engine.connect() as db:
        for asset in flows.ctx.assets:
            used = await limits.usage(db, identity.user_id, asset.symbol, flows.ctx.clock.now())
            limit = flows.config.limit(used.level, asset.symbol)
            out.append(
                LimitOut(
                    asset=asset.symbol,
                    level=used.level,
                    daily=format_amount(limit.daily, asset),
                    daily_used=format_amount(used.daily_used, asset),
                    monthly=format_amount(limit.monthly, asset),
                    monthly_used=format_amount(used.monthly_used, asset),
                )
            )
    return out


async def get_one(
    withdrawal_id: WithdrawalId, flows: FlowsDep, identity: CurrentIdentity
) -> WithdrawalOut:
    async with flows.ctx.engine.connect() as db:
        found = await flow.get(db, withdrawal_id, user_id=identity.user_id)
    return withdrawal_out(flows.ctx.assets, found)


async def cancel(
    withdrawal_id: WithdrawalId,
    key: IdempotencyKey,
    flows: FlowsDep,
    identity: CurrentIdentity,
) -> JSONResponse:
    async def action(db: AsyncConnection) -> WithdrawalOut:
        done = await flow.cancel(flows, db, user_id=identity.user_id, withdrawal_id=withdrawal_id)
        return withdrawal_out(flows.ctx.assets, done)

    return await idempotent(
        flows.ctx,
        key,
        user_id=identity.user_id,
        scope="withdrawals.cancel",
        request={"withdrawalId": withdrawal_id},
        action=action,
        status_code=200,
    )


def withdrawals_router() -> APIRouter:
    router = APIRouter(
        prefix="/v1/withdrawals", tags=["withdrawals"], responses=problem_responses(401)
    )
    add = router.add_api_route
    withdraw = needs_scope("withdraw")  # money leaves the user (the gateway's rule too)
    place = [*withdraw, Depends(require_verified_email())]  # cancelling stays open
    add(
        "/crypto",
        place_crypto,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        responses=_PLACE,
        response_model=WithdrawalOut,
        summary="Withdraw crypto to an address (2FA code required)",
        dependencies=place,
    )
    add(
        "/fiat",
        place_fiat,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        responses=_PLACE,
        response_model=WithdrawalOut,
        summary="Withdraw to a bank account by IBAN (2FA code required)",
        dependencies=place,
    )
    add("", list_mine, methods=["GET"], summary="My withdrawals, newest first")
    add(
        "/limits",
        my_limits,
        methods=["GET"],
        summary="My withdrawal limits and what I used today and this month",
    )
    add(
        "/{withdrawal_id}",
        get_one,
        methods=["GET"],
        summary="One of my withdrawals",
        responses=problem_responses(404),
    )
    add(
        "/{withdrawal_id}/cancel",
        cancel,
        methods=["POST"],
        responses=problem_responses(400, 403, 404, 409),
        response_model=WithdrawalOut,
        summary="Cancel my withdrawal before it is processed (releases the hold)",
        dependencies=withdraw,
    )
    return router
