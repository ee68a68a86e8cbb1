"""Base58 and Base58Check (Bitcoin alphabet), as used by legacy BTC and TRON addresses."""

from __future__ import annotations

import hashlib

__all__ = ["b58check_decode", "b58check_encode", "b58decode", "b58encode"]

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
# Longest Base58 string we will decode; addresses are at most ~35 characters and
# the int conversion is quadratic, so refuse anything absurd up front.
_MAX_DECODE_LEN = 128


def b58encode(data: bytes) -> str:
    """Encode bytes; each leading zero byte becomes a leading ``1``."""
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(ALPHABET[rem])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Decode a Base58 string; ``ValueError`` on characters outside the alphabet."""
    if len(text) > _MAX_DECODE_LEN:
        raise ValueError("base58 string is too long")
    number = 0
    for char in text:
        digit = _INDEX.get(char)
        if digit is None:
            raise ValueError(f"invalid base58 character: {char!r}")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * zeros + body


def _checksum(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def b58check_encode(payload: bytes) -> str:
    """Base58 of ``payload`` followed by its 4-byte double-SHA256 checksum."""
    return b58encode(payload + _checksum(payload))


def b58check_decode(text: str) -> bytes:
    """The payload of a Base58Check string; ``ValueError`` if the checksum fails."""
    raw = b58decode(text)
    if len(raw) < 5:
        raise ValueError("base58check data is too short")
    payload, checksum = raw[:-4], raw[-4:]
    if _checksum(payload) != checksum:
        raise ValueError("base58check checksum mismatch")
    return payload
