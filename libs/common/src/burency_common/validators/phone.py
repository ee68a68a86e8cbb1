"""Phone numbers in strict E.164 form, checked against real numbering plans."""

from __future__ import annotations

import re

from ._base import InvalidValue, require_str

__all__ = ["validate_phone"]

# "+", a country code (never starting with 0), 8..15 digits in all. ASCII digits only.
_E164_RE = re.compile(r"\+[1-9][0-9]{7,14}")


def validate_phone(value: str) -> str:
    """Return the E.164 number (``"+971501234567"``) or raise ``INVALID_PHONE``.

    Input must already be E.164: no spaces, dashes, brackets or national trunk
    prefixes; formatting for humans is the client's job.
    """
    text = require_str(value, "phone")
    if not _E164_RE.fullmatch(text):
        raise InvalidValue("INVALID_PHONE", "phone number must be in E.164 format (+ and digits)")
    import phonenumbers  # noqa: PLC0415 - heavy metadata; keep package import cheap

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise InvalidValue("INVALID_PHONE", "phone number could not be parsed") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("INVALID_PHONE", "phone number is not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
