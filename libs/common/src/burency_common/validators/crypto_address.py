"""Deposit/withdrawal address validation for BTC, Ethereum (ETH/ERC-20) and TRON (TRC-20).

Only the address *format* is checked (encoding, checksum, version, lengths): a
valid address may still belong to nobody. Codes: ``INVALID_ADDRESS`` and, from the
dispatcher, ``UNSUPPORTED_NETWORK``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from Crypto.Hash import keccak

from ._base import InvalidValue, require_str
from ._base58 import b58check_decode
from ._bech32 import decode_segwit

__all__ = [
    "BTC_NETWORKS",
    "SUPPORTED_NETWORKS",
    "to_checksum_address",
    "validate_btc_address",
    "validate_crypto_address",
    "validate_eth_address",
    "validate_tron_address",
]

# network -> (bech32 hrp, P2PKH version byte, P2SH version byte)
BTC_NETWORKS: dict[str, tuple[str, int, int]] = {
    "mainnet": ("bc", 0x00, 0x05),
    "testnet": ("tb", 0x6F, 0xC4),
    "regtest": ("bcrt", 0x6F, 0xC4),
}
_TRON_VERSION = 0x41
_ETH_RE = re.compile(r"0x[0-9a-fA-F]{40}")
_BASE58_RE = re.compile(r"[1-9A-HJ-NP-Za-km-z]{25,35}")


def _invalid(what: str) -> InvalidValue:
    return InvalidValue("INVALID_ADDRESS", f"invalid {what} address")


def validate_btc_address(address: str, network: str = "mainnet") -> str:
    """Validate a Bitcoin address for ``network`` (``mainnet``/``testnet``/``regtest``).

    Accepts Base58Check P2PKH/P2SH and segwit Bech32 (v0) / Bech32m (v1+). Returns
    legacy addresses unchanged and segwit addresses in lowercase (their canonical
    form; an all-uppercase segwit address is valid, e.g. for QR codes).
    """
    text = require_str(address, "address")
    try:
        hrp, p2pkh, p2sh = BTC_NETWORKS[network]
    except KeyError:
        raise ValueError(f"unknown bitcoin network: {network!r}") from None
    if text[: len(hrp) + 1].lower() == hrp + "1":
        try:
            decode_segwit(hrp, text)
        except ValueError:
            raise _invalid("bitcoin") from None
        return text.lower()
    if not _BASE58_RE.fullmatch(text):
        raise _invalid("bitcoin")
    try:
        payload = b58check_decode(text)
    except ValueError:
        raise _invalid("bitcoin") from None
    if len(payload) != 21 or payload[0] not in (p2pkh, p2sh):
        raise _invalid("bitcoin")
    return text


def validate_tron_address(address: str) -> str:
    """Validate a TRON base58 address (``T...``: version byte 0x41 + 20-byte hash)."""
    text = require_str(address, "address")
    if len(text) != 34 or not _BASE58_RE.fullmatch(text):
        raise _invalid("TRON")
    try:
        payload = b58check_decode(text)
    except ValueError:
        raise _invalid("TRON") from None
    if len(payload) != 21 or payload[0] != _TRON_VERSION:
        raise _invalid("TRON")
    return text


def _eip55(hex_lower: str) -> str:
    digest = keccak.new(digest_bits=256, data=hex_lower.encode("ascii")).hexdigest()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(hex_lower)
    )


def to_checksum_address(address: str) -> str:
    """The EIP-55 mixed-case form of any well-formed ``0x`` + 40-hex address
    (the existing case is ignored, so this does not *verify* a checksum)."""
    text = require_str(address, "address")
    if not _ETH_RE.fullmatch(text):
        raise _invalid("Ethereum")
    return _eip55(text[2:].lower())


def validate_eth_address(address: str) -> str:
    """Validate an Ethereum address and return its EIP-55 checksummed form.

    All-lowercase and all-uppercase hex carry no checksum and are accepted; mixed
    case must match EIP-55 exactly (a mismatch usually means a typo).
    """
    checksummed = to_checksum_address(address)
    body = address[2:]
    if body != body.lower() and body != body.upper() and address != checksummed:
        raise InvalidValue("INVALID_ADDRESS", "Ethereum address checksum (EIP-55) mismatch")
    return checksummed


def _btc_mainnet(address: str) -> str:
    return validate_btc_address(address, "mainnet")


_NETWORK_VALIDATORS: dict[str, Callable[[str], str]] = {
    "BTC": _btc_mainnet,
    "ETH": validate_eth_address,
    "ERC20": validate_eth_address,
    "TRX": validate_tron_address,
    "TRC20": validate_tron_address,
}
SUPPORTED_NETWORKS = frozenset(_NETWORK_VALIDATORS)
"""Network codes understood by :func:`validate_crypto_address` (case-insensitive)."""


def validate_crypto_address(asset_network: str, address: str) -> str:
    """Validate ``address`` for a network code: ``BTC`` (mainnet), ``ETH``/``ERC20``
    (Ethereum, e.g. USDT-ERC20) or ``TRX``/``TRC20`` (TRON, e.g. USDT-TRC20).

    Returns the normalized address; raises ``UNSUPPORTED_NETWORK`` for other codes.
    """
    network = require_str(asset_network, "network").upper()
    validator = _NETWORK_VALIDATORS.get(network)
    if validator is None:
        raise InvalidValue("UNSUPPORTED_NETWORK", f"unsupported network: {asset_network!r}")
    return validator(address)
