"""The double-entry ledger (the contract the banking flows code against).

Every method runs inside the caller's open transaction, so a flow writes its own rows,
the ledger movement and its outbox event atomically::

    async with engine.begin() as db:
        t = await ledger.transfer(db, spec)
        await add_to_outbox(db, outbox, event)

Rules, enforced here and (for the last one) again by the database:

* per asset, every transfer debits one account and credits another by the same amount,
  so the ``posted`` balances of all accounts of an asset always sum to exactly zero;
* a transfer id is an idempotency key: same id and body → the original result, same
  id and another body → :class:`IdempotencyConflict`;
* a hold reserves funds on its debit account and is settled (posted, fully or in part,
  or voided) exactly once (the unique index on ``pending_id`` backs this up);
* a user account's available balance (``posted - held``) never goes below zero:
  checked under the account's row lock, then by a CHECK constraint.

Every method raises *before* writing anything, so a caller may catch a
:class:`LedgerError` and go on with its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters.orm import ledger_accounts
from burency_banking.ledger import store
from burency_banking.ledger.errors import (
    AccountNotFound,
    HoldNotPending,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidTransfer,
    TransferNotFound,
)
from burency_banking.ledger.model import (
    USER_KIND,
    AccountInfo,
    Balance,
    SystemAccount,
    Transfer,
    TransferSpec,
    TransferStatus,
)
from burency_common.money import MAX_MINOR, AssetRegistry
from burency_common.timeutil import Clock, SystemClock

__all__ = ["Ledger", "system_account_id", "user_account_id"]

_MAX_ID = 128


def user_account_id(user_id: str, asset: str) -> str:
    """Account ids are derived, so finding or creating one is a single-row lookup."""
    return f"usr:{asset}:{user_id}"


def system_account_id(kind: SystemAccount, asset: str) -> str:
    return f"sys:{asset}:{kind.value}"


def _check_id(value: str, field: str) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= _MAX_ID or not value.isprintable():
        raise InvalidTransfer(f"{field} must be 1..{_MAX_ID} printable characters",
                              code="INVALID_TRANSFER_ID")  # fmt: skip


def _check_amount(amount: object) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_MINOR:
        raise InvalidTransfer("amount must be a positive integer of minor units",
                              code="INVALID_AMOUNT")  # fmt: skip
    return amount


def _same_spec(row: Row[Any], spec: TransferSpec) -> bool:
    return (
        row.pending_id is None
        and (row.asset, row.debit, row.credit, int(row.amount), row.kind, bool(row.hold))
        == (spec.asset, spec.debit, spec.credit, spec.amount, spec.kind, spec.pending)
        and (row.reference, row.memo) == (spec.reference, spec.memo)
    )


def _replayed(row: Row[Any], same: bool) -> Transfer:
    if not same:
        raise IdempotencyConflict(f"transfer id {row.id!r} was used with a different request")
    return store.row_to_transfer(row)


class Ledger:
    """Stateless apart from configuration: one instance serves every transaction."""

    def __init__(self, assets: AssetRegistry, clock: Clock | None = None) -> None:
        self.assets = assets
        self.clock = clock or SystemClock()

    # -- accounts ------------------------------------------------------------------

    def _check_asset(self, asset: str) -> None:
        if asset not in self.assets:
            raise InvalidTransfer(f"unknown asset {asset!r}", code="UNKNOWN_ASSET")

    async def _ensure_account(
        self, db: AsyncConnection, account_id: str, *, asset: str, kind: str, user_id: str | None
    ) -> str:
        found = await db.scalar(
            select(ledger_accounts.c.id).where(ledger_accounts.c.id == account_id)
        )
        if found is None:
            await store.insert_account(
                db,
                {
                    "id": account_id,
                    "asset": asset,
                    "kind": kind,
                    "user_id": user_id,
                    "is_system": user_id is None,
                    "posted": 0,
                    "held": 0,
                    "created_at": self.clock.now(),
                },
            )
        return account_id

    async def user_account(self, db: AsyncConnection, user_id: str, asset: str) -> str:
        """Get-or-create ``user_id``'s account in ``asset``; returns its id."""
        self._check_asset(asset)
        if not isinstance(user_id, str) or not 1 <= len(user_id) <= 64:
            raise InvalidTransfer("user id must be 1..64 characters", code="INVALID_USER_ID")
        return await self._ensure_account(
            db, user_account_id(user_id, asset), asset=asset, kind=USER_KIND, user_id=user_id
        )

    async def system_account(self, db: AsyncConnection, kind: SystemAccount, asset: str) -> str:
        """Get-or-create the system account ``kind`` of ``asset``."""
        self._check_asset(asset)
        kind = SystemAccount(kind)
        return await self._ensure_account(
            db, system_account_id(kind, asset), asset=asset, kind=kind.value, user_id=None
        )

    async def account(self, db: AsyncConnection, account_id: str) -> AccountInfo:
        """The account, its owner and balance (:class:`AccountNotFound` if none)."""
        row = (
            await db.execute(select(ledger_accounts).where(ledger_accounts.c.id == account_id))
        ).first()
        if row is None:
            raise AccountNotFound(f"no account {account_id!r}")
        return AccountInfo(
            id=row.id,
            asset=row.asset,
            kind=row.kind,
            user_id=row.user_id,
            is_system=bool(row.is_system),
            balance=store.balance_of(row),
        )

    async def account_owner(self, db: AsyncConnection, account_id: str) -> str | None:
        """The user owning the account, or None for a system account."""
        return (await self.account(db, account_id)).user_id

    async def balance(self, db: AsyncConnection, account_id: str) -> Balance:
        return (await self.account(db, account_id)).balance

    async def accounts_of(self, db: AsyncConnection, user_id: str) -> list[AccountInfo]:
        """Every account of ``user_id``, ordered by asset."""
        rows = (
            await db.execute(
                select(ledger_accounts)
                .where(ledger_accounts.c.user_id == user_id)
                .order_by(ledger_accounts.c.asset)
            )
        ).all()
        return [
            AccountInfo(r.id, r.asset, r.kind, r.user_id, bool(r.is_system), store.balance_of(r))
            for r in rows
        ]

    # -- movements -----------------------------------------------------------------

    def _check_spec(self, spec: TransferSpec) -> None:
        _check_id(spec.id, "id")
        self._check_asset(spec.asset)
        _check_amount(spec.amount)
        if spec.debit == spec.credit:
            raise InvalidTransfer("debit and credit must differ", code="SAME_ACCOUNT")
        if not 1 <= len(spec.kind) <= 32:
            raise InvalidTransfer("kind must be 1..32 characters", code="INVALID_KIND")
        if spec.reference is not None and len(spec.reference) > 128:
            raise InvalidTransfer("reference is at most 128 characters", code="INVALID_REFERENCE")
        if spec.memo is not None and len(spec.memo) > 500:
            raise InvalidTransfer("memo is at most 500 characters", code="INVALID_MEMO")

    @staticmethod
    def _check_accounts(
        accounts: dict[str, store.LockedAccount], spec: TransferSpec
    ) -> store.LockedAccount:
        """The debit row, after refusing missing accounts and accounts in another asset."""
        for account_id in (spec.debit, spec.credit):
            row = accounts.get(account_id)
            if row is None:
                raise AccountNotFound(f"no account {account_id!r}")
            if row.asset != spec.asset:
                raise InvalidTransfer(f"account {account_id!r} is not in {spec.asset}",
                                      code="ASSET_MISMATCH")  # fmt: skip
        return accounts[spec.debit]

    @staticmethod
    def _funded(debit: store.LockedAccount, amount: int) -> bool:
        return debit.is_system or debit.posted - debit.held >= amount

    def _values(self, spec: TransferSpec) -> dict[str, Any]:
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
            "created_at": self.clock.now(),
        }

    async def _not_recorded(
        self, db: AsyncConnection, spec: TransferSpec, debit: store.LockedAccount
    ) -> Transfer:
        """Why a transfer was not written: a replay of its id (the original, or a
        conflict), else insufficient funds."""
        existing = (await store.get_transfers(db, [spec.id])).get(spec.id)
        if existing is not None:
            return _replayed(existing, _same_spec(existing, spec))
        if not self._funded(debit, spec.amount):
            raise InsufficientFunds("the account's available balance is too low")
        raise RuntimeError(f"transfer {spec.id!r} was neither recorded nor a replay")

    async def transfer(self, db: AsyncConnection, spec: TransferSpec) -> Transfer:
        """Record ``spec``: posted, or a hold when ``spec.pending``.

        Same id + same body → the original :class:`Transfer`; same id + another body →
        :class:`IdempotencyConflict`; a user account's available balance would go below
        zero → :class:`InsufficientFunds`.
        """
        self._check_spec(spec)
        values = self._values(spec)
        if store.dialect_of(db) == "postgresql":  # lock, check, insert, move: one statement
            accounts, recorded = await store.transfer_in_one_statement(db, values)
            if recorded:
                return store.row_to_transfer(values)
            debit = self._check_accounts(accounts, spec)
            return await self._not_recorded(db, spec, debit)
        accounts = await store.lock_accounts(db, (spec.debit, spec.credit))
        debit = self._check_accounts(accounts, spec)
        if not self._funded(debit, spec.amount) or not await store.insert_ignore(db, values):
            return await self._not_recorded(db, spec, debit)
        if spec.pending:
            await store.apply_deltas(db, {spec.debit: (0, spec.amount)})
        else:
            await store.apply_deltas(
                db, {spec.debit: (-spec.amount, 0), spec.credit: (spec.amount, 0)}
            )
        return store.row_to_transfer(values)

    async def post(
        self,
        db: AsyncConnection,
        *,
        id: str,  # noqa: A002 - the contract's name
        pending_id: str,
        amount: int | None = None,
    ) -> Transfer:
        """Post hold ``pending_id`` fully (``amount`` None) or in part (the rest is
        released). Exactly once: a settled hold → :class:`HoldNotPending`; the same
        ``id`` replayed with the same arguments → the original result."""
        _check_id(id, "id")
        _check_id(pending_id, "pendingId")
        if amount is not None:
            _check_amount(amount)

        def same(row: Row[Any]) -> bool:
            return bool(
                row.status == TransferStatus.POST
                and row.pending_id == pending_id
                and (amount is None or amount == int(row.amount))
            )

        return await self._settle(
            db, transfer_id=id, pending_id=pending_id, amount=amount, same=same
        )

    async def void(
        self,
        db: AsyncConnection,
        *,
        id: str,  # noqa: A002 - the contract's name
        pending_id: str,
    ) -> Transfer:
        """Void hold ``pending_id`` (its funds are released); exactly once, like :meth:`post`."""
        _check_id(id, "id")
        _check_id(pending_id, "pendingId")

        def same(row: Row[Any]) -> bool:
            return bool(row.status == TransferStatus.VOIDED and row.pending_id == pending_id)

        return await self._settle(db, transfer_id=id, pending_id=pending_id, amount=None, same=same,
                                  void=True)  # fmt: skip

    async def _settle(
        self,
        db: AsyncConnection,
        *,
        transfer_id: str,
        pending_id: str,
        amount: int | None,
        same: Callable[[Row[Any]], bool],
        void: bool = False,
    ) -> Transfer:
        rows = await store.get_transfers(db, [transfer_id, pending_id])
        if transfer_id in rows:
            return _replayed(rows[transfer_id], same(rows[transfer_id]))
        hold = rows.get(pending_id)
        if hold is None:
            raise TransferNotFound(f"no transfer {pending_id!r}")
        if not hold.hold:
            raise HoldNotPending(f"transfer {pending_id!r} is not a hold")
        await store.lock_accounts(db, (hold.debit, hold.credit))
        rows = await store.get_transfers(db, [transfer_id, pending_id])  # settled meanwhile?
        if transfer_id in rows:
            return _replayed(rows[transfer_id], same(rows[transfer_id]))
        hold = rows[pending_id]
        if hold.status != TransferStatus.PENDING:
            raise HoldNotPending(f"hold {pending_id!r} is already {hold.status}")
        held = int(hold.amount)
        moved = 0 if void else (held if amount is None else amount)
        if moved > held:
            raise InvalidTransfer("cannot post more than the hold", code="AMOUNT_EXCEEDS_HOLD")
        return await self._record_settlement(db, transfer_id, hold, moved, same=same, void=void)

    async def _record_settlement(
        self,
        db: AsyncConnection,
        transfer_id: str,
        hold: Row[Any],
        moved: int,
        *,
        same: Callable[[Row[Any]], bool],
        void: bool,
    ) -> Transfer:
        """Write the posting (or void) of the locked, still pending ``hold``."""
        held = int(hold.amount)
        values = {
            "id": transfer_id,
            "asset": hold.asset,
            "debit": hold.debit,
            "credit": hold.credit,
            "amount": held if void else moved,
            "kind": hold.kind,
            "status": (TransferStatus.VOIDED if void else TransferStatus.POST).value,
            "hold": False,
            "pending_id": hold.id,
            "reference": hold.reference,
            "memo": hold.memo,
            "created_at": self.clock.now(),
        }
        if not await store.insert_ignore(db, values):
            existing = (await store.get_transfers(db, [transfer_id])).get(transfer_id)
            if existing is None:
                raise HoldNotPending(f"hold {hold.id!r} was settled concurrently")
            return _replayed(existing, same(existing))
        settled = TransferStatus.VOIDED if void else TransferStatus.POSTED
        await store.set_hold_status(db, hold.id, settled.value)
        if void:
            await store.apply_deltas(db, {hold.debit: (0, -held)})
        else:
            await store.apply_deltas(db, {hold.debit: (-moved, -held), hold.credit: (moved, 0)})
        return store.row_to_transfer(values)
