"""Bech32 (BIP-173) and Bech32m (BIP-350) decoding of segwit addresses."""

from __future__ import annotations

from enum import Enum

__all__ = ["Encoding", "decode_segwit", "encode_segwit"]

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CHAR_INDEX = {c: i for i, c in enumerate(CHARSET)}
_GENERATORS = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_MAX_LEN = 90


class Encoding(Enum):
    """Which checksum constant a string uses."""

    BECH32 = 1
    BECH32M = 0x2BC830A3


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_GENERATORS):
            chk ^= gen if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _decode(text: str) -> tuple[str, list[int], Encoding]:
    """Split and checksum-verify a Bech32/Bech32m string (either all lower or all
    upper case); returns the lowercase hrp, the 5-bit data without checksum, and
    the encoding."""
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise ValueError("bech32 string has characters outside printable ASCII")
    if text.lower() != text and text.upper() != text:
        raise ValueError("bech32 string mixes upper and lower case")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text) or len(text) > _MAX_LEN:
        raise ValueError("bech32 string has an invalid separator position or length")
    hrp, data_part = text[:pos], text[pos + 1 :]
    if any(c not in _CHAR_INDEX for c in data_part):
        raise ValueError("bech32 data has a character outside the charset")
    data = [_CHAR_INDEX[c] for c in data_part]
    constant = _polymod(_hrp_expand(hrp) + data)
    for encoding in Encoding:
        if constant == encoding.value:
            return hrp, data[:-6], encoding
    raise ValueError("bech32 checksum mismatch")


def _convertbits(data: list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << to_bits) - 1
    for value in data:
        if value >> from_bits:
            raise ValueError("value out of range for bit conversion")
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (to_bits - bits)) & maxv)
    elif bits >= from_bits or ((acc << (to_bits - bits)) & maxv):
        raise ValueError("invalid padding in bech32 data")
    return out


def decode_segwit(hrp: str, address: str) -> tuple[int, bytes]:
    """Decode a segwit address for ``hrp``: ``(witness_version, program)``.

    Enforces BIP-173/350: v0 uses Bech32 with a 20- or 32-byte program; v1..16 use
    Bech32m with 2..40 bytes.
    """
    got_hrp, data, encoding = _decode(address)
    if got_hrp != hrp:
        raise ValueError(f"wrong human-readable part {got_hrp!r}, expected {hrp!r}")
    if not data:
        raise ValueError("segwit address has no witness version")
    version, program = data[0], bytes(_convertbits(data[1:], 5, 8, pad=False))
    if version > 16:
        raise ValueError(f"invalid witness version {version}")
    if not 2 <= len(program) <= 40:
        raise ValueError(f"invalid witness program length {len(program)}")
    if version == 0 and len(program) not in (20, 32):
        raise ValueError("witness v0 programs must be 20 or 32 bytes")
    expected = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    if encoding is not expected:
        raise ValueError(f"witness v{version} must use {expected.name.lower()}")
    return version, program


def encode_segwit(hrp: str, version: int, program: bytes) -> str:
    """Encode a segwit address (used by tests to build vectors)."""
    encoding = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    data = [version, *_convertbits(list(program), 8, 5, pad=True)]
    polymod = _polymod([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ encoding.value
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in data + checksum)
