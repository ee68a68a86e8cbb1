"""One-time secrets (e-mail verification, password reset) and how they are stored (pure)."""

from __future__ import annotations

import hashlib
import secrets as _random

from burency_common.validators import email_lookup_key

__all__ = ["EMAIL_VERIFICATION", "PASSWORD_RESET", "account_key", "hash_secret", "new_secret"]

EMAIL_VERIFICATION = "verify_email"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a password


def new_secret() -> str:
    """256 random bits, URL-safe: unguessable, so a plain SHA-256 suffices to store it."""
    return _random.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def account_key(email: str) -> str:
    """Throttling key of an e-mail address (also for unknown ones); never the address itself.

    Canonical, so spelling the address another way (full-width letters, upper case)
    counts against the same account instead of opening a fresh throttling bucket.
    """
    return hash_secret(email_lookup_key(email))
