"""Building addresses from a 20-byte key hash, per network (the inverse of validation).

Used where an address has to be *made* rather than checked, e.g. the banking
service's simulated chain deriving deterministic deposit addresses. Every address
built here passes :func:`~burency_common.validators.validate_crypto_address` for the
same network code.
"""

from __future__ import annotations

from ._base import InvalidValue, require_str
from ._base58 import b58check_encode
from ._bech32 import encode_segwit
from .crypto_address import to_checksum_address

__all__ = ["address_from_hash160"]

_TRON_VERSION = b"\x41"


def _btc(digest: bytes) -> str:
    return encode_segwit("bc", 0, digest)  # P2WPKH, mainnet


def _eth(digest: bytes) -> str:
    return to_checksum_address("0x" + digest.hex())


def _tron(digest: bytes) -> str:
    return b58check_encode(_TRON_VERSION + digest)


_ENCODERS = {"BTC": _btc, "ETH": _eth, "ERC20": _eth, "TRX": _tron, "TRC20": _tron}


def address_from_hash160(network: str, digest: bytes) -> str:
    """The ``network`` address of a 20-byte hash (BTC P2WPKH, EIP-55 ETH, TRON base58).

    Raises ``UNSUPPORTED_NETWORK`` for an unknown network code and ``ValueError``
    unless ``digest`` is exactly 20 bytes.
    """
    code = require_str(network, "network").upper()
    encoder = _ENCODERS.get(code)
    if encoder is None:
        raise InvalidValue("UNSUPPORTED_NETWORK", f"unsupported network: {network!r}")
    if not isinstance(digest, bytes) or len(digest) != 20:
        raise ValueError("digest must be 20 bytes")
    return encoder(digest)
