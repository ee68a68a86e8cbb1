"""E-mail address syntax validation (no DNS: deliverability is checked by sending)."""

from __future__ import annotations

import email_validator

from ._base import InvalidValue, require_str

__all__ = ["validate_email"]


def validate_email(value: str) -> str:
    """Return the normalized address (domain lowercased/IDNA-normalized, local part
    as given, surrounding whitespace removed) or raise ``INVALID_EMAIL``."""
    text = require_str(value, "email").strip()
    try:
        # strict: also enforce RFC 5321's 64-octet limit on the local part, which
        # mail servers apply and the library only checks on request.
        result = email_validator.validate_email(text, check_deliverability=False, strict=True)
    except email_validator.EmailNotValidError as exc:
        raise InvalidValue("INVALID_EMAIL", f"invalid email address: {exc}") from None
    return result.normalized
