"""The trading API's errors: every engine rejection and input check, one HTTP status each.

Statuses follow the repository's rule (``tests/test_error_codes.py``: one status per
code across services): a request that can never succeed as written is **422**
(like ``VALIDATION_FAILED``, ``INVALID_AMOUNT``), a request refused because of the
current state of the market, the book or the balance is **409** (like banking's
``INSUFFICIENT_FUNDS``), an order that does not exist *for this caller* is **404**.
"""

from __future__ import annotations

from typing import TypeVar

from burency_common.errors import BurencyError, Conflict, NotFound, ValidationFailed
from burency_common.money import AmountError
from burency_trading.domain.model import Reject

__all__ = ["amount_error", "invalid", "not_found", "rejected"]

E = TypeVar("E", bound=BurencyError)

_INVALID: dict[str, str] = {
    "MARKET_UNKNOWN": "unknown symbol",
    "INVALID_ORDER": "this combination of order fields is not allowed",
    "QUANTITY_TOO_SMALL": "the quantity is below the market's minimum",
    "QUANTITY_TOO_LARGE": "the quantity is above the market's maximum",
    "NOTIONAL_TOO_SMALL": "the order's value is below the market's minimum notional",
    "ORDER_PRICE_OUT_OF_BAND": "the price is too far from the last trade price",
    "AMEND_NOT_A_DECREASE": "an amend may only reduce the quantity (above what is filled)",
    "UNKNOWN_ASSET": "unknown asset",
    "INVALID_AMOUNT": "the amount is not valid",
    "PRICE_NOT_ON_TICK": "the price is not a multiple of the market's tick size",
    "QUANTITY_NOT_ON_LOT": "the quantity is not a multiple of the market's lot size",
    "AMOUNT_PRECISION_EXCEEDED": "the amount has more decimals than the asset allows",
    "NEGATIVE_AMOUNT": "the amount must not be negative",
    "AMOUNT_TOO_LARGE": "the amount is too large",
    "FEE_RATE_OUT_OF_RANGE": "a fee rate must be between 0 and 0.1",
}
_CONFLICT: dict[str, str] = {
    "MARKET_HALTED": "the market is halted",
    "MARKET_CANCEL_ONLY": "the market accepts cancels only",
    "MARKET_EXISTS": "the market exists already",
    "INSUFFICIENT_BALANCE": "the available balance is too low for this order",
    "POST_ONLY_WOULD_TAKE": "a post-only (LIMIT_MAKER) order would have matched at once",
    "FOK_NOT_FILLABLE": "a fill-or-kill order could not be filled completely at once",
    "NO_LIQUIDITY": "there is no liquidity on the other side of the book",
    "STOP_WOULD_TRIGGER_IMMEDIATELY": "the stop price is already reached by the last price",
    "DUPLICATE_CLIENT_ORDER_ID": "you already have an open order with this client order id",
    "TOO_MANY_OPEN_ORDERS": "you have too many open orders in this market",
    "TRANSFER_ID_REUSED": "this transfer id was used for another transfer",
}
_NOT_FOUND: dict[str, str] = {
    "ORDER_NOT_FOUND": "no such order",
    "TRANSFER_UNKNOWN": "no such transfer",
}


def invalid(code: str, detail: str | None = None, field: str | None = None) -> ValidationFailed:
    """422 with ``code`` (one of the 422 codes above), optionally naming the field."""
    error = ValidationFailed(_INVALID[code], code=code)
    return _refine(error, detail, field)


def not_found(code: str = "ORDER_NOT_FOUND") -> NotFound:
    return NotFound(_NOT_FOUND[code], code=code)


def rejected(reason: Reject | str, detail: str | None = None) -> BurencyError:
    """The problem for an engine rejection code (an unknown one is a 422)."""
    code = str(reason)
    error: BurencyError
    if code in _NOT_FOUND:
        error = NotFound(_NOT_FOUND[code], code=code)
    elif code in _CONFLICT:
        error = Conflict(_CONFLICT[code], code=code)
    elif code in _INVALID:
        error = ValidationFailed(_INVALID[code], code=code)
    else:
        error = ValidationFailed("the engine refused the command", code="INVALID_ORDER")
        detail = detail or f"the engine refused the command ({code})"
    return _refine(error, detail, None)


def amount_error(exc: AmountError, field: str) -> ValidationFailed:
    """A decimal string that is not a valid amount on the market's grid (422)."""
    code = exc.code if exc.code in _INVALID else "INVALID_AMOUNT"
    return invalid(code, f"{field}: {exc.message}", field)


def _refine(error: E, detail: str | None, field: str | None) -> E:
    if detail:
        error.detail = detail
    if field:
        error.errors = [{"field": field, "message": error.detail, "code": error.code}]
    return error
