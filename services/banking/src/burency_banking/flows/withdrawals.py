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

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.domain.errors import AccountNotFound, InsufficientFunds
from burency_banking.domain.ledger import user_account_id
from burency_banking.domain.model import SystemAccount, TransferSpec
from burency_banking.flows import limits
from burency_banking.flows.audit import record_decision
from burency_banking.flows.config import FiatRule, NetworkRule
from burency_banking.flows.context import Flows
from burency_banking.flows.crypto_deposits import network_rule
from burency_banking.flows.errors import NotPending, ObjectNotFound, invalid
from burency_banking.flows.records import Withdrawal, page_of
from burency_banking.flows.tables import withdrawals
from burency_common.ids import new_id
from burency_common.money import format_amount
from burency_common.validators import InvalidValue, validate_crypto_address, validate_iban

__all__ = [
    "approve",
    "cancel",
    "check_crypto",
    "check_fiat",
    "complete",
    "fail",
    "get",
    "list_for_staff",
    "list_for_user",
    "lock_in_state",
    "mark_paid",
    "place_crypto",
    "place_fiat",
    "reject",
]

OPEN = ("PENDING_APPROVAL", "QUEUED")


def _below_minimum(flows: Flows, asset: str, minimum: int) -> None:
    shown = format_amount(minimum, flows.ctx.assets.get(asset))
    raise invalid("BELOW_MINIMUM", f"the minimum withdrawal is {shown} {asset}", "amount")


def check_crypto(
    flows: Flows, *, asset: str, network: str, address: str, amount: int
) -> tuple[NetworkRule, str]:
    """Validate a crypto withdrawal's inputs (before its 2FA code is spent): the rule of
    the network and the normalized address."""
    rule = network_rule(flows, asset, network)
    try:
        address = validate_crypto_address(rule.network, address)
    except InvalidValue as exc:
        raise invalid("INVALID_ADDRESS", f"not a valid {rule.network} address", "address") from exc
    if amount < rule.min_withdrawal:
        _below_minimum(flows, asset, rule.min_withdrawal)
    return rule, address


def check_fiat(flows: Flows, *, asset: str, amount: int, iban: str) -> tuple[FiatRule, str]:
    """Validate a bank withdrawal's inputs: the asset's rule and the normalized IBAN."""
    rule = flows.config.fiat.get(asset)
    if rule is None:
        raise invalid("UNSUPPORTED_ASSET", f"{asset[:16]} cannot be paid out to a bank", "asset")
    try:
        iban = validate_iban(iban)
    except InvalidValue as exc:
        raise invalid("INVALID_IBAN", "not a valid IBAN", "iban") from exc
    if amount < rule.min_withdrawal:
        _below_minimum(flows, asset, rule.min_withdrawal)
    return rule, iban


async def precheck(flows: Flows, *, user_id: str, asset: str, amount: int, fee: int) -> None:
    """What placing would refuse for limits or funds, asked without locks before the
    user's 2FA code is spent, so such a refusal leaves the code usable. The locked checks
    inside the placing transaction stay the ones that count."""
    await limits.precheck(flows, user_id=user_id, asset=asset, amount=amount)
    async with flows.ctx.engine.connect() as db:
        try:
            available = (
                await flows.ctx.ledger.balance(db, user_account_id(user_id, asset))
            ).available
        except AccountNotFound:
            available = 0
    if available < amount + fee:
        raise InsufficientFunds("the account's available balance is too low")


async def place_crypto(
    flows: Flows,
    db: AsyncConnection,
    *,
    user_id: str,
    asset: str,
    network: str,
    address: str,
    amount: int,
) -> Withdrawal:
    rule, address = check_crypto(
        flows, asset=asset, network=network, address=address, amount=amount
    )
    return await _place(
        flows,
        db,
        user_id=user_id,
        kind="CRYPTO",
        asset=asset,
        amount=amount,
        fee=rule.withdrawal_fee,
        network=rule.network,
        address=address,
    )


async def place_fiat(
    flows: Flows,
    db: AsyncConnection,
    *,
    user_id: str,
    asset: str,
    amount: int,
    iban: str,
    beneficiary_name: str,
) -> Withdrawal:
    rule, iban = check_fiat(flows, asset=asset, amount=amount, iban=iban)
    return await _place(
        flows,
        db,
        user_id=user_id,
        kind="FIAT",
        asset=asset,
        amount=amount,
        fee=rule.withdrawal_fee,
        iban=iban,
        beneficiary_name=beneficiary_name.strip(),
    )


async def _place(
    flows: Flows,
    db: AsyncConnection,
    *,
    user_id: str,
    kind: str,
    asset: str,
    amount: int,
    fee: int,
    **destination: str | None,
) -> Withdrawal:
    """Limits check, hold of ``amount + fee``, the row; ``destination``: network and
    address, or IBAN and beneficiary name."""
    await limits.check_and_lock(flows, db, user_id=user_id, asset=asset, amount=amount)
    ctx, now, withdrawal_id = flows.ctx, flows.ctx.clock.now(), new_id()
    hold_id = f"withdrawal:{withdrawal_id}:hold"
    account = await ctx.ledger.user_account(db, user_id, asset)
    in_flight = await ctx.ledger.system_account(db, SystemAccount.WITHDRAWALS_IN_FLIGHT, asset)
    hold = TransferSpec(
        hold_id, asset, account, in_flight, amount + fee, "withdrawal", pending=True,
        reference=withdrawal_id,
    )  # fmt: skip
    await ctx.ledger.transfer(db, hold)
    threshold = flows.config.approval_thresholds.get(asset)
    status = "PENDING_APPROVAL" if threshold is not None and amount >= threshold else "QUEUED"
    values: dict[str, object] = {
        "network": None, "address": None, "iban": None, "beneficiary_name": None,
        **destination,
        "id": withdrawal_id, "user_id": user_id, "kind": kind, "asset": asset,
        "amount": amount, "fee": fee, "status": status, "hold_id": hold_id, "txid": None,
        "bank_reference": None, "reason": None, "decided_by": None, "created_at": now,
        "updated_at": now, "completed_at": None,
    }  # fmt: skip
    await db.execute(insert(withdrawals).values(**values))
    return Withdrawal.from_row(values)  # type: ignore[arg-type]


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
    await flows.ctx.notify(
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
