"""IBAN validation (ISO 13616): format, per-country length and the mod-97 check."""

from __future__ import annotations

import re

from ._base import InvalidValue, require_str

__all__ = ["IBAN_LENGTHS", "validate_iban"]

IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
"""Registered IBAN length per country (SWIFT IBAN registry). Countries missing here
are still accepted when their length is within 15..34 and the checksum holds."""

_IBAN_RE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


def _mod97(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    # Letters become two-digit numbers: A=10 ... Z=35 (int(c, 36) does exactly that).
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97


def validate_iban(value: str) -> str:
    """Return the compact, uppercase IBAN (spaces removed) or raise ``INVALID_IBAN``."""
    raw = require_str(value, "iban").replace(" ", "")
    iban = raw.upper()
    # Check ASCII before trusting upper(): "ß".upper() == "SS".
    if not raw.isascii() or not _IBAN_RE.fullmatch(iban):
        raise InvalidValue("INVALID_IBAN", "IBAN has an invalid format")
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        raise InvalidValue("INVALID_IBAN", f"{iban[:2]} IBANs have {expected} characters")
    # Check digits are always 02..98; 00, 01 and 99 only pass mod-97 by accident.
    if iban[2:4] in ("00", "01", "99") or _mod97(iban) != 1:
        raise InvalidValue("INVALID_IBAN", "IBAN checksum is invalid")
    return iban
