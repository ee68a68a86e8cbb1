"""The ledger's errors (pure), on top of :mod:`burency_common.errors` (so they render as
problem+json with a stable ``code``).

==================== ====== =========================
error                status code
==================== ====== =========================
InsufficientFunds    409    INSUFFICIENT_FUNDS
IdempotencyConflict  409    IDEMPOTENCY_CONFLICT
HoldNotPending       409    HOLD_NOT_PENDING
AccountNotFound      404    ACCOUNT_NOT_FOUND
TransferNotFound     404    TRANSFER_NOT_FOUND
InvalidTransfer      422    INVALID_TRANSFER (or a more specific code)
==================== ====== =========================

Every ledger method raises before writing anything, so a caller may catch a
``LedgerError`` and carry on in the same transaction (e.g. record a refused withdrawal).
"""

from __future__ import annotations

from burency_common.errors import BurencyError, Conflict, NotFound, ValidationFailed
from burency_common.errors import IdempotencyConflict as _IdempotencyKeyReused

__all__ = [
    "AccountNotFound",
    "HoldNotPending",
    "IdempotencyConflict",
    "InsufficientFunds",
    "InvalidTransfer",
    "LedgerError",
    "TransferNotFound",
]


class LedgerError(BurencyError):
    """Base of every ledger error (its subclasses set the HTTP status)."""


class InsufficientFunds(LedgerError, Conflict):
    default_code = "INSUFFICIENT_FUNDS"
    title = "Insufficient funds"


class IdempotencyConflict(LedgerError, _IdempotencyKeyReused):
    """The same id was used before with a different body."""

    default_code = "IDEMPOTENCY_CONFLICT"
    title = "Idempotency conflict"


class HoldNotPending(LedgerError, Conflict):
    """The hold was already posted or voided (or the transfer is not a hold)."""

    default_code = "HOLD_NOT_PENDING"
    title = "Hold is not pending"


class AccountNotFound(LedgerError, NotFound):
    default_code = "ACCOUNT_NOT_FOUND"
    title = "Account not found"


class TransferNotFound(LedgerError, NotFound):
    default_code = "TRANSFER_NOT_FOUND"
    title = "Transfer not found"


class InvalidTransfer(LedgerError, ValidationFailed):
    """A malformed request to the ledger (bad amount, unknown asset, same account ...)."""

    default_code = "INVALID_TRANSFER"
    title = "Invalid transfer"
