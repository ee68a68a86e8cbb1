"""The banking ledger: double-entry, append-only, idempotent (see :mod:`.core`)."""

from burency_banking.ledger.core import Ledger, system_account_id, user_account_id
from burency_banking.ledger.errors import (
    AccountNotFound,
    HoldNotPending,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidTransfer,
    LedgerError,
    TransferNotFound,
)
from burency_banking.ledger.model import (
    AccountInfo,
    Balance,
    SystemAccount,
    Transfer,
    TransferSpec,
    TransferStatus,
)

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
