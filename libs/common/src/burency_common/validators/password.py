"""Password policy after NIST SP 800-63B: length and a blocklist, no composition rules.

Composition rules ("one digit, one symbol") push users to ``Password1!``; what
actually stops guessing is length plus refusing passwords attackers try first. So:

* 8..128 characters, counted as Unicode code points after NFKC normalization (so a
  password typed on different keyboards/IMEs counts, and hashes, the same);
* not in the shipped ``common_passwords.txt`` list (compared case-insensitively);
* not built around the user's own e-mail or username (``user_inputs``).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from importlib import resources

from ._base import InvalidValue, require_str

__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "validate_password"]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
# A user input shorter than this is only refused as the whole password, not as a
# substring: "bob" inside "correct-horse-bob-battery" is not a real weakness.
_MIN_CONTAINED_INPUT = 4


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The blocklist, read once on first use (nothing is loaded at import time)."""
    text = (
        resources.files("burency_common.validators")
        .joinpath("common_passwords.txt")
        .read_text("utf-8")
    )
    return frozenset(
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.startswith("# ")
    )


def _user_tokens(user_inputs: Iterable[str]) -> set[str]:
    tokens: set[str] = set()
    for raw in user_inputs:
        item = unicodedata.normalize("NFKC", raw).strip().casefold()
        if item:
            tokens.add(item)
            local, at, _domain = item.partition("@")
            if at and local:
                tokens.add(local)
    return tokens


def validate_password(password: str, *, user_inputs: Iterable[str] = ()) -> str:
    """Return the NFKC-normalized password (hash that, not the raw input) or raise
    ``PASSWORD_TOO_SHORT``, ``PASSWORD_TOO_LONG``, ``PASSWORD_TOO_COMMON`` or
    ``PASSWORD_CONTAINS_USER_INFO``."""
    normalized = unicodedata.normalize("NFKC", require_str(password, "password"))
    if len(normalized) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(
            "PASSWORD_TOO_SHORT", f"password must be at least {MIN_PASSWORD_LENGTH} characters"
        )
    if len(normalized) > MAX_PASSWORD_LENGTH:
        raise InvalidValue(
            "PASSWORD_TOO_LONG", f"password must be at most {MAX_PASSWORD_LENGTH} characters"
        )
    folded = normalized.casefold()
    if folded in _common_passwords():
        raise InvalidValue("PASSWORD_TOO_COMMON", "password is too common")
    for token in _user_tokens(user_inputs):
        if folded == token or (len(token) >= _MIN_CONTAINED_INPUT and token in folded):
            raise InvalidValue(
                "PASSWORD_CONTAINS_USER_INFO", "password must not contain your email or username"
            )
    return normalized
