"""TOTP (RFC 6238) rules and recovery codes (pure).

A code is accepted for the current 30-second step and one step either side (clock
drift). Each accepted step is remembered per user and a code for that step or an
earlier one is refused (``TOTP_REUSED``): an observed code cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp

from burency_auth.domain.errors import totp_error

__all__ = [
    "RECOVERY_CODE_COUNT",
    "accept_totp",
    "hash_recovery_code",
    "is_totp_code",
    "new_recovery_codes",
    "new_totp_secret",
    "provisioning_uri",
]

RECOVERY_CODE_COUNT = 10
_CODE_RE = re.compile(r"^\d{6}$")
_VALID_WINDOW = 1


def new_totp_secret() -> str:
    """160 random bits, base32 (what authenticator apps expect)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def is_totp_code(code: str) -> bool:
    return bool(_CODE_RE.match(code))


def matching_step(secret: str, code: str, *, now: datetime) -> int | None:
    """The time step ``code`` belongs to (within the drift window), or ``None``."""
    if not is_totp_code(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found: int | None = None
    for offset in range(-_VALID_WINDOW, _VALID_WINDOW + 1):
        candidate = totp.at(now, counter_offset=offset)
        if hmac.compare_digest(candidate, code):  # no early exit: constant work
            found = current + offset
    return found


def accept_totp(secret: str, code: str, *, now: datetime, last_step: int | None) -> int:
    """Return the step to remember, or raise ``TOTP_INVALID`` / ``TOTP_REUSED``."""
    step = matching_step(secret, code, now=now)
    if step is None:
        raise totp_error("TOTP_INVALID")
    if last_step is not None and step <= last_step:
        raise totp_error("TOTP_REUSED")
    return step


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """``xxxxx-xxxxx`` codes of 50 random bits each (shown once, stored hashed)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def hash_recovery_code(code: str) -> str:
    normalized = code.strip().lower().replace(" ", "")
    return hashlib.sha256(normalized.encode("utf-8", "surrogatepass")).hexdigest()
