"""The caller's deposits: crypto deposit addresses and history, fiat deposit requests.

No route takes a user id: each acts on the caller's identity; another user's deposit
is a 404 like a missing one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from burency_banking.entrypoints.http.deposit_withdrawal_models import (
    BankDetailsOut,
    CryptoDepositsPage,
    Cursor,
    DepositAddressOut,
    FiatDepositIn,
    FiatDepositOut,
    FiatDepositsPage,
    FlowsDep,
    Limit,
    crypto_out,
    fiat_out,
)
from burency_banking.entrypoints.http.deps import CurrentIdentity, needs_scope
from burency_banking.flows import crypto_deposits, fiat_deposits
from burency_banking.flows.context import Flows
from burency_banking.flows.records import FiatDeposit
from burency_common.identity import require_verified_email
from burency_common.money import parse_money
from burency_common.web.openapi import problem_responses

__all__ = ["deposits_router"]

DepositId = Annotated[str, Path(min_length=1, max_length=64)]


def _with_bank(flows: Flows, deposit: FiatDeposit) -> FiatDepositOut:
    out = fiat_out(flows.ctx.assets, deposit)
    bank = flows.config.bank_details
    out.bank = BankDetailsOut(
        bank_name=bank.get("bankName", ""),
        account_name=bank.get("accountName", ""),
        iban=bank.get("iban", ""),
        swift=bank.get("swift", ""),
        reference=deposit.reference,
    )
    return out


async def address(
    flows: FlowsDep,
    identity: CurrentIdentity,
    asset: Annotated[str, Query(min_length=2, max_length=10)],
    network: Annotated[str, Query(min_length=2, max_length=16)],
) -> DepositAddressOut:
    rule = crypto_deposits.network_rule(flows, asset, network)
    found = await crypto_deposits.deposit_address(
        flows, user_id=identity.user_id, asset=rule.asset, network=rule.network
    )
    return DepositAddressOut(
        asset=rule.asset,
        network=rule.network,
        address=found,
        required_confirmations=rule.confirmations,
    )


async def list_crypto(
    flows: FlowsDep, identity: CurrentIdentity, limit: Limit = 50, cursor: Cursor = None
) -> CryptoDepositsPage:
    async with flows.ctx.engine.connect() as db:
        found, next_cursor = await crypto_deposits.list_for_user(
            db, user_id=identity.user_id, limit=limit, cursor=cursor
        )
    items = [crypto_out(flows.ctx.assets, d) for d in found]
    return CryptoDepositsPage(items=items, next_cursor=next_cursor)


async def create_fiat(
    body: FiatDepositIn, flows: FlowsDep, identity: CurrentIdentity
) -> FiatDepositOut:
    amount = parse_money(flows.ctx.assets, body.asset, body.amount)
    async with flows.ctx.transaction() as db:
        deposit = await fiat_deposits.create(
            flows, db, user_id=identity.user_id, asset=body.asset, amount=amount
        )
    return _with_bank(flows, deposit)


async def list_fiat(
    flows: FlowsDep, identity: CurrentIdentity, limit: Limit = 50, cursor: Cursor = None
) -> FiatDepositsPage:
    async with flows.ctx.engine.connect() as db:
        found, next_cursor = await fiat_deposits.list_for_user(
            db, user_id=identity.user_id, limit=limit, cursor=cursor
        )
    return FiatDepositsPage(items=[_with_bank(flows, d) for d in found], next_cursor=next_cursor)


async def get_fiat(
    deposit_id: DepositId, flows: FlowsDep, identity: CurrentIdentity
) -> FiatDepositOut:
    async with flows.ctx.engine.connect() as db:
        deposit = await fiat_deposits.get(db, deposit_id, user_id=identity.user_id)
    return _with_bank(flows, deposit)


def deposits_router() -> APIRouter:
    router = APIRouter(prefix="/v1/deposits", tags=["deposits"], responses=problem_responses(401))
    add = router.add_api_route
    verified = Depends(require_verified_email())  # deposits need a proven address
    add(
        "/crypto/address",
        address,
        methods=["GET"],
        summary="My deposit address for an asset on a network (always the same one)",
        responses=problem_responses(403, 422),
        dependencies=[verified],
    )
    add(
        "/crypto",
        list_crypto,
        methods=["GET"],
        summary="My crypto deposits, newest first (pending, credited, dropped)",
    )
    add(
        "/fiat",
        create_fiat,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        summary="Announce a bank transfer: returns the bank details and the reference to use",
        responses=problem_responses(403, 422),
        dependencies=[*needs_scope("trade"), verified],
    )
    add("/fiat", list_fiat, methods=["GET"], summary="My fiat deposit requests, newest first")
    add(
        "/fiat/{deposit_id}",
        get_fiat,
        methods=["GET"],
        summary="One of my fiat deposit requests",
        responses=problem_responses(404),
    )
    return router
