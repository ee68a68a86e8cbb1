"""Withdrawals: placing (a hold), cancelling, staff decisions, completion.

States (``withdrawals.status``)::

    PENDING_APPROVAL ──approve──▶ QUEUED ──(crypto) worker──▶ PROCESSING ─▶ BROADCAST
        │    ▲ amount >= threshold   │  └──(fiat) staff mark-paid──────────▶ COMPLETED
        │                            │                        confirmed ──▶ COMPLETED
        └── reject / cancel ─────────┴──▶ REJECTED / CANCELLED   dropped ─▶ FAILED

Placing holds ``amount + fee`` on the user's account (credit side
``WITHDRAWALS_IN_FLIGHT``) after the limits check, in one transaction with the row.
Completion posts the hold and moves ``amount`` to ``CUSTODY`` (crypto) or
``BANK_OMNIBUS`` (fiat) and ``fee`` to ``FEES``; rejection, cancellation and failure
void it. Every transition is a compare-and-set on the status (rows locked ``FOR
UPDATE`` on PostgreSQL), and every ledger id is derived from the withdrawal id, so
each transition and each movement happens once.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.domain.model import SystemAccount, TransferSpec
from burency_banking.flows.audit import record_decision
from burency_banking.flows.context import Flows
from burency_banking.flows.errors import NotPending, ObjectNotFound
from burency_banking.flows.placing import place_crypto, place_fiat
from burency_banking.flows.records import Withdrawal, page_of
from burency_banking.flows.tables import withdrawals
from burency_common.money import format_amount

__all__ = [
    "approve",
    "cancel",
    "complete",
    "fail",
    "get",
    "list_for_staff",
    "list_for_user",
    "lock_in_state",
    "mark_paid",
    "place_crypto",  # placing lives in flows.placing; re-exported for callers of this module
    "place_fiat",
    "reject",
]

OPEN = ("PENDING_APPROVAL", "QUEUED")


async def get(db: AsyncConnection, withdrawal_id: str, *, user_id: str | None = None) -> Withdrawal:
    query = select(withdrawals).where(withdrawals.c.id == withdrawal_id)
    if user_id is not None:
        query = query.where(withdrawals.c.user_id == user_id)
    row = (await db.execute(query)).mappings().first()
    if row is None:
        raise ObjectNotFound("withdrawal")
    return Withdrawal.from_row(row)


async def list_for_user(
    db: AsyncConnection, *, user_id: str, limit: int, cursor: str | None
) -> tuple[list[Withdrawal], str | None]:
    query = select(withdrawals).where(withdrawals.c.user_id == user_id)
    rows, next_cursor = await page_of(db, withdrawals, query, limit=limit, cursor=cursor)
    return [Withdrawal.from_row(r) for r in rows], next_cursor


async def list_for_staff(
    db: AsyncConnection, *, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Withdrawal], str | None]:
    query = select(withdrawals)
    if status is not None:
        query = query.where(withdrawals.c.status == status)
    rows, next_cursor = await page_of(db, withdrawals, query, limit=limit, cursor=cursor)
    return [Withdrawal.from_row(r) for r in rows], next_cursor


async def lock_in_state(
    db: AsyncConnection,
    withdrawal_id: str,
    states: Collection[str],
    code: str,
    user_id: str | None = None,
) -> Withdrawal:
    query = select(withdrawals).where(withdrawals.c.id == withdrawal_id)
    if user_id is not None:
        query = query.where(withdrawals.c.user_id == user_id)
    row = (await db.execute(query.with_for_update())).mappings().first()
    if row is None:
        raise ObjectNotFound("withdrawal")
    if row["status"] not in states:
        raise NotPending(code, f"the withdrawal is {row['status']}")
    return Withdrawal.from_row(row)


async def _set(
    flows: Flows, db: AsyncConnection, withdrawal_id: str, **values: object
) -> Withdrawal:
    now = flows.ctx.clock.now()
    await db.execute(
        update(withdrawals)
        .where(withdrawals.c.id == withdrawal_id)
        .values(updated_at=now, **values)
    )
    return await get(db, withdrawal_id)


async def _notify(
    flows: Flows, db: AsyncConnection, w: Withdrawal, event: str, **data: object
) -> None:
    shown = format_amount(w.amount, flows.ctx.assets.get(w.asset))
    await flows.ctx.outbox.notify(
        db,
        user_id=w.user_id,
        event=event,
        data={"withdrawalId": w.id, "asset": w.asset, "amount": shown, **data},
        notification_id=f"{event}:{w.id}",
    )


async def _release(
    flows: Flows, db: AsyncConnection, w: Withdrawal, status: str, **values: object
) -> Withdrawal:
    await flows.ctx.ledger.void(db, id=f"withdrawal:{w.id}:void", pending_id=w.hold_id)
    done = await _set(flows, db, w.id, status=status, **values)
    await _notify(flows, db, done, f"withdrawal.{status.lower()}", reason=done.reason)
    return done


async def cancel(
    flows: Flows, db: AsyncConnection, *, user_id: str, withdrawal_id: str
) -> Withdrawal:
    w = await lock_in_state(db, withdrawal_id, OPEN, "WITHDRAWAL_NOT_CANCELLABLE", user_id=user_id)
    return await _release(flows, db, w, "CANCELLED")


async def approve(
    flows: Flows, db: AsyncConnection, *, withdrawal_id: str, actor_id: str
) -> Withdrawal:
    w = await lock_in_state(
        db, withdrawal_id, ("PENDING_APPROVAL",), "WITHDRAWAL_NOT_PENDING_APPROVAL"
    )
    await record_decision(
        db,
        actor_id=actor_id,
        action="withdrawal.approve",
        object_type="withdrawal",
        object_id=w.id,
        details={},
        now=flows.ctx.clock.now(),
    )
    return await _set(flows, db, w.id, status="QUEUED", decided_by=actor_id)


async def reject(
    flows: Flows, db: AsyncConnection, *, withdrawal_id: str, actor_id: str, reason: str
) -> Withdrawal:
    w = await lock_in_state(db, withdrawal_id, OPEN, "WITHDRAWAL_NOT_REJECTABLE")
    await record_decision(
        db,
        actor_id=actor_id,
        action="withdrawal.reject",
        object_type="withdrawal",
        object_id=w.id,
        details={"reason": reason},
        now=flows.ctx.clock.now(),
    )
    return await _release(flows, db, w, "REJECTED", reason=reason, decided_by=actor_id)


async def mark_paid(
    flows: Flows, db: AsyncConnection, *, withdrawal_id: str, actor_id: str, bank_reference: str
) -> Withdrawal:
    w = await lock_in_state(db, withdrawal_id, ("QUEUED",), "WITHDRAWAL_NOT_PAYABLE")
    if w.kind != "FIAT":
        raise NotPending("WITHDRAWAL_NOT_PAYABLE", "only bank withdrawals are marked paid")
    await record_decision(
        db,
        actor_id=actor_id,
        action="withdrawal.mark_paid",
        object_type="withdrawal",
        object_id=w.id,
        details={"bankReference": bank_reference},
        now=flows.ctx.clock.now(),
    )
    return await complete(flows, db, w, bank_reference=bank_reference, decided_by=actor_id)


async def complete(
    flows: Flows, db: AsyncConnection, w: Withdrawal, **values: object
) -> Withdrawal:
    """Post the hold; ``amount`` leaves through custody/omnibus, ``fee`` goes to FEES."""
    ledger, asset = flows.ctx.ledger, w.asset
    await ledger.post(db, id=f"withdrawal:{w.id}:post", pending_id=w.hold_id)
    in_flight = await ledger.system_account(db, SystemAccount.WITHDRAWALS_IN_FLIGHT, asset)
    out = SystemAccount.CUSTODY if w.kind == "CRYPTO" else SystemAccount.BANK_OMNIBUS
    destination = await ledger.system_account(db, out, asset)
    await ledger.transfer(
        db,
        TransferSpec(
            f"withdrawal:{w.id}:out",
            asset,
            in_flight,
            destination,
            w.amount,
            "withdrawal",
            reference=w.id,
        ),
    )
    if w.fee > 0:
        fees = await ledger.system_account(db, SystemAccount.FEES, asset)
        await ledger.transfer(
            db,
            TransferSpec(
                f"withdrawal:{w.id}:fee", asset, in_flight, fees, w.fee, "fee", reference=w.id
            ),
        )
    now = flows.ctx.clock.now()
    done = await _set(flows, db, w.id, status="COMPLETED", completed_at=now, **values)
    # ``withdrawal.sent``: the notification service's event (its template shows ``address``)
    shown_to = done.address or f"IBAN ending {(done.iban or '')[-4:]}"
    await _notify(flows, db, done, "withdrawal.sent", txid=done.txid, address=shown_to)
    return done


async def fail(flows: Flows, db: AsyncConnection, w: Withdrawal, reason: str) -> Withdrawal:
    return await _release(flows, db, w, "FAILED", reason=reason)
