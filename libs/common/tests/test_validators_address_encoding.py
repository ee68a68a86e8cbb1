"""``address_from_hash160``: built addresses are valid for their network and distinct."""

from __future__ import annotations

import hashlib

import pytest

from burency_common.validators import InvalidValue, validate_crypto_address
from burency_common.validators.address_encoding import address_from_hash160


@pytest.mark.parametrize("network", ["BTC", "ETH", "ERC20", "TRX", "TRC20", "trc20"])
def test_built_addresses_validate_for_their_network(network: str) -> None:
    for n in range(50):
        digest = hashlib.sha256(f"{network}:{n}".encode()).digest()[:20]
        address = address_from_hash160(network, digest)
        assert validate_crypto_address(network, address) == address


def test_known_vectors() -> None:
    # BIP-173 P2WPKH vector and the EIP-55 example
    btc = address_from_hash160("BTC", bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6"))
    assert btc == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    eth = address_from_hash160("ETH", bytes.fromhex("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"))
    assert eth == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert address_from_hash160("TRC20", bytes(20)).startswith("T")


def test_different_digests_give_different_addresses() -> None:
    a = address_from_hash160("BTC", bytes(20))
    b = address_from_hash160("BTC", bytes(19) + b"\x01")
    assert a != b


def test_refuses_unknown_networks_and_bad_digests() -> None:
    with pytest.raises(InvalidValue) as exc:
        address_from_hash160("DOGE", bytes(20))
    assert exc.value.code == "UNSUPPORTED_NETWORK"
    with pytest.raises(ValueError, match="20 bytes"):
        address_from_hash160("BTC", bytes(19))
