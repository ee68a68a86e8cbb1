"""The ledger's value types: what callers pass in, what they get back, and the account
and transfer records the rules of :mod:`burency_banking.domain.ledger` decide on (pure: no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

__all__ = [
    "USER_KIND",
    "AccountInfo",
    "Balance",
    "LockedAccount",
    "SystemAccount",
    "Transfer",
    "TransferRecord",
    "TransferSpec",
    "TransferStatus",
]

USER_KIND = "user"
"""``ledger_accounts.kind`` of a user's account; system accounts use a SystemAccount value."""


class SystemAccount(StrEnum):
    """The exchange's own accounts, one of each per asset. They may go negative."""

    BANK_OMNIBUS = "bank_omnibus"  # fiat deposits come from here
    CUSTODY = "custody"  # crypto deposits come from here
    FEES = "fees"
    WITHDRAWALS_IN_FLIGHT = "withdrawals_in_flight"
    TRADING_CLEARING = "trading_clearing"


class TransferStatus(StrEnum):
    """``Transfer.status``.

    * ``posted``: a plain posted transfer, or a hold that was posted (fully or in part);
    * ``pending``: an open hold;
    * ``voided``: a hold that was voided, *or* the record of a void (``pending_id`` set);
    * ``post``: the record of a posting of a hold (``pending_id`` set).
    """

    POSTED = "posted"
    PENDING = "pending"
    VOIDED = "voided"
    POST = "post"


@dataclass(frozen=True)
class TransferSpec:
    """A movement to record: ``amount`` minor units of ``asset`` from ``debit`` to ``credit``."""

    id: str  # idempotency id, 1..128 chars
    asset: str
    debit: str
    credit: str
    amount: int  # > 0, minor units
    kind: str  # "deposit.fiat", "withdrawal", "internal", "trading.out", ...
    pending: bool = False  # True: a hold, reserving `amount` on the debit account
    reference: str | None = None
    memo: str | None = None


@dataclass(frozen=True)
class Transfer:
    """What was recorded (see :class:`TransferStatus` for ``status``)."""

    id: str
    asset: str
    debit: str
    credit: str
    amount: int
    kind: str
    status: str
    pending_id: str | None
    reference: str | None
    memo: str | None
    created_at: datetime


@dataclass(frozen=True)
class Balance:
    """``posted``: credits - debits of posted transfers; ``held``: open holds debiting it."""

    posted: int
    held: int
    available: int

    @classmethod
    def of(cls, posted: int, held: int) -> Balance:
        """The balance of an account whose rows hold ``posted`` and ``held``."""
        return cls(posted=posted, held=held, available=posted - held)


@dataclass(frozen=True)
class AccountInfo:
    """One ledger account: its owner (``user_id`` or a system ``kind``), asset and balance."""

    id: str
    asset: str
    kind: str
    user_id: str | None
    is_system: bool
    balance: Balance


class LockedAccount(NamedTuple):
    """An account as the ledger read it under its row lock (before the movement)."""

    id: str
    asset: str
    is_system: bool
    posted: int
    held: int


@dataclass(frozen=True)
class TransferRecord:
    """A stored transfer with what the rules need beyond :class:`Transfer`: whether it
    was recorded as a hold (``hold`` stays True after the hold is settled)."""

    transfer: Transfer
    hold: bool

    @property
    def id(self) -> str:
        return self.transfer.id

    @property
    def status(self) -> str:
        return self.transfer.status
