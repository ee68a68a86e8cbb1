"""The ledger's rules, with no I/O: what a transfer, a hold's posting or its void must
satisfy and what it does to the balances. The store (:mod:`burency_banking.adapters.ledger_store`)
reads and writes the rows; :class:`burency_banking.service.ledger.Ledger` runs these rules
between its reads and writes, inside the caller's transaction.

* per asset, every transfer debits one account and credits another by the same amount
  (:func:`transfer_deltas`, :func:`settlement_deltas`), so the ``posted`` balances of all
  accounts of an asset always sum to exactly zero;
* a transfer id is an idempotency key: same id and body → the original result, same id
  and another body → :class:`IdempotencyConflict` (:func:`replayed`);
* a hold reserves funds on its debit account and is settled (posted, fully or in part,
  or voided) exactly once (:func:`settle_amount`);
* a user account's available balance (``posted - held``) never goes below zero
  (:func:`is_funded`). On PostgreSQL the store evaluates the same condition inside its
  one-statement transfer (a fast path); the hypothesis model test
  (``tests/test_ledger_model.py``) takes :func:`is_funded` as its reference and checks
  both databases against it.

Every check raises before the caller writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from burency_banking.domain.errors import (
    AccountNotFound,
    HoldNotPending,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidTransfer,
    TransferNotFound,
)
from burency_banking.domain.model import (
    LockedAccount,
    SystemAccount,
    Transfer,
    TransferRecord,
    TransferSpec,
    TransferStatus,
)
from burency_common.money import MAX_MINOR, AssetRegistry

__all__ = [
    "Deltas",
    "check_accounts",
    "check_amount",
    "check_asset",
    "check_hold",
    "check_id",
    "check_spec",
    "check_user_id",
    "is_funded",
    "not_recorded",
    "replayed",
    "same_post",
    "same_transfer",
    "same_void",
    "settle_amount",
    "settlement_deltas",
    "settlement_values",
    "system_account_id",
    "transfer_deltas",
    "transfer_values",
    "user_account_id",
]

MAX_ID = 128

Deltas = dict[str, tuple[int, int]]
"""``{account id: (posted delta, held delta)}`` of one movement (one or two accounts)."""


def user_account_id(user_id: str, asset: str) -> str:
    """Account ids are derived, so finding or creating one is a single-row lookup."""
    return f"usr:{asset}:{user_id}"


def system_account_id(kind: SystemAccount, asset: str) -> str:
    return f"sys:{asset}:{kind.value}"


# -- checks of a request -----------------------------------------------------------


def check_id(value: str, field: str) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID or not value.isprintable():
        raise InvalidTransfer(f"{field} must be 1..{MAX_ID} printable characters",
                              code="INVALID_TRANSFER_ID")  # fmt: skip


def check_amount(amount: object) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_MINOR:
        raise InvalidTransfer("amount must be a positive integer of minor units",
                              code="INVALID_AMOUNT")  # fmt: skip
    return amount


def check_asset(asset: str, assets: AssetRegistry) -> None:
    if asset not in assets:
        raise InvalidTransfer(f"unknown asset {asset!r}", code="UNKNOWN_ASSET")


def check_user_id(user_id: object) -> None:
    if not isinstance(user_id, str) or not 1 <= len(user_id) <= 64:
        raise InvalidTransfer("user id must be 1..64 characters", code="INVALID_USER_ID")


def check_spec(spec: TransferSpec, assets: AssetRegistry) -> None:
    check_id(spec.id, "id")
    check_asset(spec.asset, assets)
    check_amount(spec.amount)
    if spec.debit == spec.credit:
        raise InvalidTransfer("debit and credit must differ", code="SAME_ACCOUNT")
    if not 1 <= len(spec.kind) <= 32:
        raise InvalidTransfer("kind must be 1..32 characters", code="INVALID_KIND")
    if spec.reference is not None and len(spec.reference) > 128:
        raise InvalidTransfer("reference is at most 128 characters", code="INVALID_REFERENCE")
    if spec.memo is not None and len(spec.memo) > 500:
        raise InvalidTransfer("memo is at most 500 characters", code="INVALID_MEMO")


def check_accounts(accounts: Mapping[str, LockedAccount], spec: TransferSpec) -> LockedAccount:
    """The debit account, after refusing missing accounts and accounts in another asset."""
    for account_id in (spec.debit, spec.credit):
        account = accounts.get(account_id)
        if account is None:
            raise AccountNotFound(f"no account {account_id!r}")
        if account.asset != spec.asset:
            raise InvalidTransfer(f"account {account_id!r} is not in {spec.asset}",
                                  code="ASSET_MISMATCH")  # fmt: skip
    return accounts[spec.debit]


# -- the funds rule and the balance arithmetic ---------------------------------------


def is_funded(debit: LockedAccount, amount: int) -> bool:
    """May ``debit`` give ``amount`` (posted, or held)? A system account always may; a
    user account only while its available balance (``posted - held``) stays >= 0."""
    return debit.is_system or debit.posted - debit.held >= amount


def transfer_deltas(spec: TransferSpec) -> Deltas:
    """A hold raises its debit's ``held``; a posted transfer moves ``posted``."""
    if spec.pending:
        return {spec.debit: (0, spec.amount)}
    return {spec.debit: (-spec.amount, 0), spec.credit: (spec.amount, 0)}


def settlement_deltas(hold: Transfer, moved: int, *, void: bool) -> Deltas:
    """Release the whole hold; a posting also moves ``moved`` (<= the hold) across."""
    if void:
        return {hold.debit: (0, -hold.amount)}
    return {hold.debit: (-moved, -hold.amount), hold.credit: (moved, 0)}


# -- idempotency by transfer id -------------------------------------------------------


def same_transfer(record: TransferRecord, spec: TransferSpec) -> bool:
    """Is the stored ``record`` what ``spec`` would have recorded (a replay)?"""
    t = record.transfer
    return (
        t.pending_id is None
        and (t.asset, t.debit, t.credit, t.amount, t.kind, record.hold)
        == (spec.asset, spec.debit, spec.credit, spec.amount, spec.kind, spec.pending)
        and (t.reference, t.memo) == (spec.reference, spec.memo)
    )


def same_post(record: TransferRecord, pending_id: str, amount: int | None) -> bool:
    t = record.transfer
    return (
        t.status == TransferStatus.POST
        and t.pending_id == pending_id
        and (amount is None or amount == t.amount)
    )


def same_void(record: TransferRecord, pending_id: str) -> bool:
    t = record.transfer
    return t.status == TransferStatus.VOIDED and t.pending_id == pending_id


def replayed(record: TransferRecord, same: bool) -> Transfer:
    """The original result of a replayed id, or :class:`IdempotencyConflict`."""
    if not same:
        raise IdempotencyConflict(f"transfer id {record.id!r} was used with a different request")
    return record.transfer


def not_recorded(
    spec: TransferSpec, existing: TransferRecord | None, debit: LockedAccount
) -> Transfer:
    """Why a transfer was not written: a replay of its id (the original, or a conflict),
    else insufficient funds."""
    if existing is not None:
        return replayed(existing, same_transfer(existing, spec))
    if not is_funded(debit, spec.amount):
        raise InsufficientFunds("the account's available balance is too low")
    raise RuntimeError(f"transfer {spec.id!r} was neither recorded nor a replay")


# -- holds: posted or voided exactly once -------------------------------------------------


def check_hold(hold: TransferRecord | None, pending_id: str) -> TransferRecord:
    """Refuse a missing transfer and one that is not a hold."""
    if hold is None:
        raise TransferNotFound(f"no transfer {pending_id!r}")
    if not hold.hold:
        raise HoldNotPending(f"transfer {pending_id!r} is not a hold")
    return hold


def settle_amount(
    hold: TransferRecord | None, pending_id: str, amount: int | None, *, void: bool
) -> int:
    """What a posting (or void) of ``hold`` moves, after refusing a missing transfer, one
    that is not a hold, a hold already settled and a posting larger than the hold."""
    hold = check_hold(hold, pending_id)
    if hold.status != TransferStatus.PENDING:
        raise HoldNotPending(f"hold {pending_id!r} is already {hold.status}")
    held = hold.transfer.amount
    moved = 0 if void else (held if amount is None else amount)
    if moved > held:
        raise InvalidTransfer("cannot post more than the hold", code="AMOUNT_EXCEEDS_HOLD")
    return moved


def transfer_values(spec: TransferSpec, now: datetime) -> dict[str, Any]:
    """The transfer row ``spec`` records (a hold is ``pending``, else ``posted``)."""
    status = TransferStatus.PENDING if spec.pending else TransferStatus.POSTED
    return {
        "id": spec.id,
        "asset": spec.asset,
        "debit": spec.debit,
        "credit": spec.credit,
        "amount": spec.amount,
        "kind": spec.kind,
        "status": status.value,
        "hold": spec.pending,
        "pending_id": None,
        "reference": spec.reference,
        "memo": spec.memo,
        "created_at": now,
    }


def settlement_values(
    transfer_id: str, hold: Transfer, moved: int, *, void: bool, now: datetime
) -> dict[str, Any]:
    """The row recording the posting (or void) of ``hold``: a void records the whole
    hold's amount, a posting what it moved."""
    return {
        "id": transfer_id,
        "asset": hold.asset,
        "debit": hold.debit,
        "credit": hold.credit,
        "amount": hold.amount if void else moved,
        "kind": hold.kind,
        "status": (TransferStatus.VOIDED if void else TransferStatus.POST).value,
        "hold": False,
        "pending_id": hold.id,
        "reference": hold.reference,
        "memo": hold.memo,
        "created_at": now,
    }
