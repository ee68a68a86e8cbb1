"""The error every validator raises (re-exported as ``burency_common.validators.InvalidValue``)."""

from __future__ import annotations

__all__ = ["InvalidValue"]


class InvalidValue(ValueError):
    """A value that failed validation; ``code`` is stable and safe to show clients.

    A ``ValueError`` subclass so pydantic field validators can raise it directly.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"InvalidValue(code={self.code!r}, message={self.message!r})"


def require_str(value: object, what: str) -> str:
    """Validators take text; anything else is a programming error, not bad input."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    return value
