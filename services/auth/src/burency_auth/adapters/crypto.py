"""Authenticated encryption of small secrets at rest (AES-256-GCM).

Used for TOTP secrets (key: the service's data key) and for the refresh-token pair
kept for the grace window (key: derived from the *presented* refresh secret, so the
database alone cannot open it).
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["SealError", "Sealer", "sealer_for_secret"]

_NONCE = 12


class SealError(Exception):
    """The ciphertext was tampered with or sealed under another key."""


class Sealer:
    """Encrypt/decrypt with one key; ``purpose`` is bound in as associated data."""

    def __init__(self, key_material: bytes) -> None:
        self._aead = AESGCM(hashlib.sha256(b"burency-auth-seal\x00" + key_material).digest())

    def seal(self, plaintext: bytes, *, purpose: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext, purpose.encode())

    def open(self, sealed: bytes, *, purpose: str) -> bytes:
        try:
            return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], purpose.encode())
        except (InvalidTag, ValueError):
            raise SealError("sealed value cannot be opened") from None


def sealer_for_secret(secret: str) -> Sealer:
    """A sealer whose key only the holder of ``secret`` (a refresh token) can rebuild."""
    return Sealer(b"refresh-successor\x00" + secret.encode())
