"""Deterministic deposit addresses: HMAC-SHA256(seed, user|asset|network), first 20 bytes.

The derived 20-byte hash is encoded in the network's own address format (bech32
P2WPKH for BTC, EIP-55 for Ethereum networks, base58 for TRON), so every address
passes the same validation a withdrawal address does. The seed is a secret of the
deployment: without it nobody can tell which user an address belongs to.
"""

from __future__ import annotations

import hashlib
import hmac

from burency_common.validators.address_encoding import address_from_hash160

__all__ = ["derive_address"]


def derive_address(seed: bytes, *, user_id: str, asset: str, network: str) -> str:
    message = "\x1f".join((user_id, asset.upper(), network.upper())).encode()
    digest = hmac.new(seed, message, hashlib.sha256).digest()[:20]
    return address_from_hash160(network, digest)
