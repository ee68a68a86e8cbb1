"""Fiat (AED) deposits: the user announces a transfer, staff approve or reject it.

1. ``create``: the user gets the exchange's bank details and a unique reference to
   put on the bank transfer; the request is ``PENDING``. No money moves.
2. ``approve`` (``deposits.approve``): credits the amount actually received (default:
   the announced amount) from ``BANK_OMNIBUS`` to the user, once: the ledger transfer
   id is derived from the deposit id and the row moves ``PENDING -> APPROVED`` under
   a row lock, in the same transaction as the audit row and the notification.
3. ``reject`` (``deposits.approve``): with a reason; nothing is credited.
"""

from __future__ import annotations

import secrets

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.domain.model import SystemAccount, TransferSpec
from burency_banking.flows.audit import record_decision
from burency_banking.flows.context import Flows
from burency_banking.flows.errors import NotPending, ObjectNotFound, invalid
from burency_banking.flows.records import FiatDeposit, page_of
from burency_banking.flows.tables import fiat_deposits
from burency_common.ids import new_id
from burency_common.money import format_amount

__all__ = ["approve", "create", "get", "list_for_staff", "list_for_user", "reject"]

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def _reference() -> str:
    return "BUR-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))


def _check_amount(flows: Flows, asset: str, amount: int) -> None:
    rule = flows.config.fiat.get(asset)
    if rule is None:
        raise invalid("UNSUPPORTED_ASSET", f"{asset} cannot be deposited by bank transfer", "asset")
    if amount < rule.min_deposit or amount > rule.max_deposit:
        scale = flows.ctx.assets.get(asset)
        raise invalid(
            "AMOUNT_OUT_OF_RANGE",
            f"a deposit must be between {format_amount(rule.min_deposit, scale)} and "
            f"{format_amount(rule.max_deposit, scale)} {asset}",
            "amount",
        )


async def create(
    flows: Flows, db: AsyncConnection, *, user_id: str, asset: str, amount: int
) -> FiatDeposit:
    _check_amount(flows, asset, amount)
    values = {
        "id": new_id(),
        "user_id": user_id,
        "asset": asset,
        "amount": amount,
        "credited_amount": None,
        "reference": _reference(),
        "status": "PENDING",
        "reason": None,
        "decided_by": None,
        "decided_at": None,
        "transfer_id": None,
        "created_at": flows.ctx.clock.now(),
    }
    await db.execute(insert(fiat_deposits).values(**values))
    return FiatDeposit.from_row(values)  # type: ignore[arg-type]


async def get(db: AsyncConnection, deposit_id: str, *, user_id: str | None = None) -> FiatDeposit:
    query = select(fiat_deposits).where(fiat_deposits.c.id == deposit_id)
    if user_id is not None:
        query = query.where(fiat_deposits.c.user_id == user_id)  # others' deposits: 404
    row = (await db.execute(query)).mappings().first()
    if row is None:
        raise ObjectNotFound("deposit")
    return FiatDeposit.from_row(row)


async def list_for_user(
    db: AsyncConnection, *, user_id: str, limit: int, cursor: str | None
) -> tuple[list[FiatDeposit], str | None]:
    query = select(fiat_deposits).where(fiat_deposits.c.user_id == user_id)
    rows, next_cursor = await page_of(db, fiat_deposits, query, limit=limit, cursor=cursor)
    return [FiatDeposit.from_row(r) for r in rows], next_cursor


async def list_for_staff(
    db: AsyncConnection, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[FiatDeposit], str | None]:
    query = select(fiat_deposits)
    if status is not None:
        query = query.where(fiat_deposits.c.status == status)
    rows, next_cursor = await page_of(db, fiat_deposits, query, limit=limit, cursor=cursor)
    return [FiatDeposit.from_row(r) for r in rows], next_cursor


async def _pending(db: AsyncConnection, deposit_id: str) -> FiatDeposit:
    row = (
        (
            await db.execute(
                select(fiat_deposits).where(fiat_deposits.c.id == deposit_id).with_for_update()
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise ObjectNotFound("deposit")
    if row["status"] != "PENDING":
        raise NotPending("DEPOSIT_NOT_PENDING", f"the deposit is already {row['status']}")
    return FiatDeposit.from_row(row)


async def _announce_credit(
    flows: Flows, db: AsyncConnection, deposit: FiatDeposit, credited: int, actor_id: str
) -> None:
    ctx, now = flows.ctx, flows.ctx.clock.now()
    shown = format_amount(credited, ctx.assets.get(deposit.asset))
    await record_decision(
        db,
        actor_id=actor_id,
        action="deposit.approve",
        object_type="fiat_deposit",
        object_id=deposit.id,
        details={"amount": shown, "asset": deposit.asset},
        now=now,
    )
    await ctx.outbox.notify(
        db,
        user_id=deposit.user_id,
        event="deposit.credited",
        data={"depositId": deposit.id, "asset": deposit.asset, "amount": shown, "method": "BANK"},
        notification_id=f"deposit.credited:{deposit.id}",
    )


async def approve(
    flows: Flows, db: AsyncConnection, *, deposit_id: str, actor_id: str, amount: int | None
) -> FiatDeposit:
    deposit = await _pending(db, deposit_id)
    credited = deposit.amount if amount is None else amount
    _check_amount(flows, deposit.asset, credited)
    ctx, now = flows.ctx, flows.ctx.clock.now()
    account = await ctx.ledger.user_account(db, deposit.user_id, deposit.asset)
    omnibus = await ctx.ledger.system_account(db, SystemAccount.BANK_OMNIBUS, deposit.asset)
    transfer_id = f"deposit.fiat:{deposit.id}"
    await ctx.ledger.transfer(
        db,
        TransferSpec(
            transfer_id,
            deposit.asset,
            omnibus,
            account,
            credited,
            "deposit.fiat",
            reference=deposit.id,
            memo=deposit.reference,
        ),
    )
    await db.execute(
        update(fiat_deposits)
        .where(fiat_deposits.c.id == deposit.id)
        .values(
            status="APPROVED",
            credited_amount=credited,
            decided_by=actor_id,
            decided_at=now,
            transfer_id=transfer_id,
        )
    )
    await _announce_credit(flows, db, deposit, credited, actor_id)
    return await get(db, deposit.id)


async def reject(
    flows: Flows, db: AsyncConnection, *, deposit_id: str, actor_id: str, reason: str
) -> FiatDeposit:
    deposit = await _pending(db, deposit_id)
    ctx, now = flows.ctx, flows.ctx.clock.now()
    await db.execute(
        update(fiat_deposits)
        .where(fiat_deposits.c.id == deposit.id)
        .values(status="REJECTED", reason=reason, decided_by=actor_id, decided_at=now)
    )
    await record_decision(
        db,
        actor_id=actor_id,
        action="deposit.reject",
        object_type="fiat_deposit",
        object_id=deposit.id,
        details={"reason": reason},
        now=now,
    )
    await ctx.outbox.notify(
        db,
        user_id=deposit.user_id,
        event="deposit.rejected",
        data={"depositId": deposit.id, "asset": deposit.asset, "reason": reason},
        notification_id=f"deposit.rejected:{deposit.id}",
    )
    return await get(db, deposit.id)
