"""Opaque refresh tokens: ``<token_id>.<secret>``.

Model (the auth service implements the storage):

* A login creates a *family* (``family_id``); every refresh token obtained by
  rotating within that login session shares it.
* The client receives ``<token_id>.<secret>``. The server stores only
  ``token_id``, ``family_id`` and ``secret_hash`` = SHA-256 of the secret, so a
  database leak yields no usable refresh tokens. The secret is 32 random bytes
  (256 bits), which is why a plain, unsalted hash is sufficient here.
* On refresh the server looks the row up by ``token_id`` (no secret-dependent
  lookup), checks the secret with ``refresh_secret_matches`` (constant time),
  marks the row as rotated and issues a new token in the same family.
* Presenting an already-rotated token means it was copied: the server revokes
  the whole family (every session token descending from that login) and
  answers ``TokenRevoked``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field

from burency_common.tokens._errors import TokenMalformed

__all__ = [
    "RefreshTokenMaterial",
    "hash_refresh_secret",
    "new_refresh_token",
    "parse_refresh_token",
    "refresh_secret_matches",
]

_SECRET_BYTES = 32
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes, unpadded base64url
_MAX_LENGTH = 128


@dataclass(frozen=True)
class RefreshTokenMaterial:
    """A freshly minted refresh token. Give ``token`` to the client, store the rest."""

    token: str = field(repr=False)
    token_id: str
    family_id: str
    secret_hash: str


def hash_refresh_secret(secret: str) -> str:
    """Hex SHA-256 of the secret as presented by the client (what the server stores)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_refresh_token(family_id: str | None = None) -> RefreshTokenMaterial:
    """Mint a token; ``family_id=None`` starts a new family (a new login)."""
    if family_id is None:
        family_id = str(uuid.uuid4())
    elif not isinstance(family_id, str) or not family_id:
        raise ValueError("family_id must be a non-empty string")
    token_id = str(uuid.uuid4())
    raw = secrets.token_bytes(_SECRET_BYTES)
    secret = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    return RefreshTokenMaterial(
        token=f"{token_id}.{secret}",
        token_id=token_id,
        family_id=family_id,
        secret_hash=hash_refresh_secret(secret),
    )


def parse_refresh_token(token: str) -> tuple[str, str]:
    """Split ``<token_id>.<secret>``; raise ``TokenMalformed`` unless both parts are canonical."""
    if not isinstance(token, str) or len(token) > _MAX_LENGTH or token.count(".") != 1:
        raise TokenMalformed("refresh token is malformed")
    token_id, secret = token.split(".")
    try:
        canonical_id = str(uuid.UUID(token_id))
    except ValueError:
        raise TokenMalformed("refresh token is malformed") from None
    if canonical_id != token_id or _SECRET_RE.fullmatch(secret) is None:
        raise TokenMalformed("refresh token is malformed")
    return token_id, secret


def refresh_secret_matches(secret: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented secret with the stored hash."""
    presented = hash_refresh_secret(secret).encode("ascii")
    return hmac.compare_digest(presented, stored_hash.encode("utf-8"))
