"""The double-entry ledger (the contract the banking flows code against).

Every method runs inside the caller's open transaction, so a flow writes its own rows,
the ledger movement and its outbox event atomically::

    async with engine.begin() as db:
        t = await ledger.transfer(db, spec)
        await add_to_outbox(db, outbox, event)

The rules (balances, idempotency by transfer id, holds settled exactly once, user
accounts never negative) are the pure functions of :mod:`burency_banking.domain.ledger`;
this class runs them between the store's reads and writes
(:mod:`burency_banking.adapters.ledger_store`). The last rule is enforced again by the
database (a CHECK constraint), and holds settled once by the unique index on
``pending_id``.

Every method raises *before* writing anything, so a caller may catch a
:class:`~burency_banking.domain.errors.LedgerError` and go on with its transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters import ledger_store as store
from burency_banking.adapters.orm import ledger_accounts
from burency_banking.domain import ledger as rules
from burency_banking.domain.errors import AccountNotFound, HoldNotPending
from burency_banking.domain.model import (
    USER_KIND,
    AccountInfo,
    Balance,
    LockedAccount,
    SystemAccount,
    Transfer,
    TransferRecord,
    TransferSpec,
    TransferStatus,
)
from burency_common.money import AssetRegistry
from burency_common.timeutil import Clock, SystemClock

__all__ = ["Ledger"]


class Ledger:
    """Stateless apart from configuration: one instance serves every transaction."""

    def __init__(self, assets: AssetRegistry, clock: Clock | None = None) -> None:
        self.assets = assets
        self.clock = clock or SystemClock()

    # -- accounts ------------------------------------------------------------------

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
        rules.check_asset(asset, self.assets)
        rules.check_user_id(user_id)
        return await self._ensure_account(
            db, rules.user_account_id(user_id, asset), asset=asset, kind=USER_KIND,
            user_id=user_id,
        )  # fmt: skip

    async def system_account(self, db: AsyncConnection, kind: SystemAccount, asset: str) -> str:
        """Get-or-create the system account ``kind`` of ``asset``."""
        rules.check_asset(asset, self.assets)
        kind = SystemAccount(kind)
        return await self._ensure_account(
            db, rules.system_account_id(kind, asset), asset=asset, kind=kind.value, user_id=None
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

    async def transfer(self, db: AsyncConnection, spec: TransferSpec) -> Transfer:
        """Record ``spec``: posted, or a hold when ``spec.pending``.

        Same id + same body → the original :class:`Transfer`; same id + another body →
        :class:`IdempotencyConflict`; a user account's available balance would go below
        zero → :class:`InsufficientFunds`.
        """
        rules.check_spec(spec, self.assets)
        values = rules.transfer_values(spec, self.clock.now())
        if store.dialect_of(db) == "postgresql":
            # The fast path: lock, the funds rule (as SQL), insert and move in one
            # statement; when nothing was written, the domain says why.
            accounts, recorded = await store.transfer_in_one_statement(db, values)
            if recorded:
                return store.row_to_transfer(values)
            debit = rules.check_accounts(accounts, spec)
            return await self._not_recorded(db, spec, debit)
        accounts = await store.lock_accounts(db, (spec.debit, spec.credit))
        debit = rules.check_accounts(accounts, spec)
        if not rules.is_funded(debit, spec.amount) or not await store.insert_ignore(db, values):
            return await self._not_recorded(db, spec, debit)
        await store.apply_deltas(db, rules.transfer_deltas(spec))
        return store.row_to_transfer(values)

    @staticmethod
    async def _not_recorded(
        db: AsyncConnection, spec: TransferSpec, debit: LockedAccount
    ) -> Transfer:
        existing = (await store.get_transfers(db, [spec.id])).get(spec.id)
        return rules.not_recorded(spec, existing, debit)

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
        rules.check_id(id, "id")
        rules.check_id(pending_id, "pendingId")
        if amount is not None:
            rules.check_amount(amount)
        return await self._settle(
            db, transfer_id=id, pending_id=pending_id, amount=amount,
            same=lambda record: rules.same_post(record, pending_id, amount),
        )  # fmt: skip

    async def void(
        self,
        db: AsyncConnection,
        *,
        id: str,  # noqa: A002 - the contract's name
        pending_id: str,
    ) -> Transfer:
        """Void hold ``pending_id`` (its funds are released); exactly once, like :meth:`post`."""
        rules.check_id(id, "id")
        rules.check_id(pending_id, "pendingId")
        return await self._settle(
            db, transfer_id=id, pending_id=pending_id, amount=None, void=True,
            same=lambda record: rules.same_void(record, pending_id),
        )  # fmt: skip

    async def _settle(
        self,
        db: AsyncConnection,
        *,
        transfer_id: str,
        pending_id: str,
        amount: int | None,
        same: Callable[[TransferRecord], bool],
        void: bool = False,
    ) -> Transfer:
        records = await store.get_transfers(db, [transfer_id, pending_id])
        if transfer_id in records:
            return rules.replayed(records[transfer_id], same(records[transfer_id]))
        hold = rules.check_hold(records.get(pending_id), pending_id).transfer
        await store.lock_accounts(db, (hold.debit, hold.credit))
        records = await store.get_transfers(db, [transfer_id, pending_id])  # settled meanwhile?
        if transfer_id in records:
            return rules.replayed(records[transfer_id], same(records[transfer_id]))
        moved = rules.settle_amount(records.get(pending_id), pending_id, amount, void=void)
        values = rules.settlement_values(transfer_id, hold, moved, void=void, now=self.clock.now())
        if not await store.insert_ignore(db, values):
            existing = (await store.get_transfers(db, [transfer_id])).get(transfer_id)
            if existing is None:
                raise HoldNotPending(f"hold {hold.id!r} was settled concurrently")
            return rules.replayed(existing, same(existing))
        settled = TransferStatus.VOIDED if void else TransferStatus.POSTED
        await store.set_hold_status(db, hold.id, settled.value)
        await store.apply_deltas(db, rules.settlement_deltas(hold, moved, void=void))
        return store.row_to_transfer(values)
