"""The banking ledger's public surface: double-entry, append-only, idempotent.

The rules and value types are the pure domain (:mod:`burency_banking.domain.ledger`,
:mod:`burency_banking.domain.model`, :mod:`burency_banking.domain.errors`); the
:class:`Ledger` that runs them over the database is in :mod:`burency_banking.service.ledger`.
This package re-exports both for callers outside the service (tests, benchmarks).
"""

from burency_banking.domain.errors import (
    AccountNotFound,
    HoldNotPending,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidTransfer,
    LedgerError,
    TransferNotFound,
)
from burency_banking.domain.ledger import system_account_id, user_account_id
from burency_banking.domain.model import (
    AccountInfo,
    Balance,
    SystemAccount,
    Transfer,
    TransferSpec,
    TransferStatus,
)
from burency_banking.service.ledger import Ledger

__all__ = [
    "AccountInfo",
    "AccountNotFound",
    "Balance",
    "HoldNotPending",
    "IdempotencyConflict",
    "InsufficientFunds",
    "InvalidTransfer",
    "Ledger",
    "LedgerError",
    "SystemAccount",
    "Transfer",
    "TransferNotFound",
    "TransferSpec",
    "TransferStatus",
    "system_account_id",
    "user_account_id",
]
