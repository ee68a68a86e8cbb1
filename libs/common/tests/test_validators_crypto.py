from __future__ import annotations

import hashlib

import pytest

from burency_common.validators import (
    InvalidValue,
    to_checksum_address,
    validate_btc_address,
    validate_crypto_address,
    validate_eth_address,
    validate_tron_address,
)
from burency_common.validators._base58 import b58check_encode, b58decode, b58encode
from burency_common.validators._bech32 import encode_segwit


def _code(fn: object, *args: str) -> str:
    with pytest.raises(InvalidValue) as info:
        fn(*args)  # type: ignore[operator]
    return info.value.code


# --- base58 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"", ""),
        (b"\x00", "1"),
        (b"\x00\x00\x01", "112"),
        (b"hello world", "StV1DL6CwTryKyV"),
        (bytes.fromhex("000000287fb4cd"), "111233QC4"),
    ],
)
def test_base58_vectors(raw: bytes, encoded: str) -> None:
    assert b58encode(raw) == encoded
    assert b58decode(encoded) == raw


@pytest.mark.parametrize("bad", ["0", "O", "I", "l", "abc+", "١"])
def test_base58_rejects_foreign_characters(bad: str) -> None:
    with pytest.raises(ValueError, match="base58"):
        b58decode(bad)


# --- bitcoin -------------------------------------------------------------------

BIP_VALID = [
    ("mainnet", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"),
    ("testnet", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"),
    ("mainnet", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y"),
    ("mainnet", "BC1SW50QGDZ25J"),
    ("mainnet", "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs"),
    ("testnet", "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy"),
    ("testnet", "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c"),
    ("mainnet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
    ("mainnet", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
    ("mainnet", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
    ("testnet", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"),
    ("testnet", "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc"),
    ("regtest", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"),
]


@pytest.mark.parametrize(("network", "address"), BIP_VALID)
def test_valid_btc_addresses(network: str, address: str) -> None:
    expected = address.lower() if address.lower().startswith(("bc1", "tb1")) else address
    assert validate_btc_address(address, network) == expected


def test_regtest_segwit_hrp() -> None:
    address = encode_segwit("bcrt", 0, bytes(range(20)))
    assert address.startswith("bcrt1q")
    assert validate_btc_address(address, "regtest") == address
    assert _code(validate_btc_address, address, "testnet") == "INVALID_ADDRESS"


@pytest.mark.parametrize(
    ("network", "address"),
    [
        # BIP-350 invalid vectors
        ("testnet", "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut"),
        ("mainnet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd"),
        ("testnet", "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf"),
        ("mainnet", "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL"),
        ("mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh"),
        ("testnet", "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47"),
        ("mainnet", "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4"),
        ("mainnet", "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R"),
        ("mainnet", "bc1pw5dgrnzv"),
        ("mainnet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav"),
        ("mainnet", "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P"),
        ("testnet", "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq"),
        ("mainnet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf"),
        ("testnet", "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j"),
        ("mainnet", "bc1gmk9yu"),
        # valid addresses on the wrong network
        ("mainnet", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"),
        ("testnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
        ("testnet", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
        ("mainnet", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"),
        ("mainnet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        # one character changed / malformed legacy
        ("mainnet", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"),
        ("mainnet", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz"),
        ("mainnet", "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a"),
        ("mainnet", " 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
        ("mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"),
        ("mainnet", ""),
    ],
)
def test_invalid_btc_addresses(network: str, address: str) -> None:
    assert _code(validate_btc_address, address, network) == "INVALID_ADDRESS"


def test_legacy_payload_must_be_21_bytes() -> None:
    too_long = b58check_encode(b"\x00" + bytes(21))
    assert _code(validate_btc_address, too_long) == "INVALID_ADDRESS"
    good = b58check_encode(b"\x05" + hashlib.sha256(b"x").digest()[:20])
    assert validate_btc_address(good) == good


@pytest.mark.parametrize(("version", "size"), [(0, 20), (0, 32), (1, 32), (1, 2), (16, 40)])
def test_generated_segwit_round_trip(version: int, size: int) -> None:
    address = encode_segwit("bc", version, bytes(range(size)))
    assert validate_btc_address(address) == address
    assert validate_btc_address(address.upper()) == address


def test_unknown_network_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="network"):
        validate_btc_address("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "signet")


# --- ethereum -------------------------------------------------------------------------

EIP55 = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
]


@pytest.mark.parametrize("address", EIP55)
def test_eip55_vectors(address: str) -> None:
    assert validate_eth_address(address) == address
    assert to_checksum_address(address.lower()) == address
    assert validate_eth_address("0x" + address[2:].lower()) == address
    assert validate_eth_address("0x" + address[2:].upper()) == address


@pytest.mark.parametrize(
    "address",
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # one letter's case flipped
        "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",  # 39 hex
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0",  # 41 hex
        "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA١d",
        "",
    ],
)
def test_invalid_eth_addresses(address: str) -> None:
    assert _code(validate_eth_address, address) == "INVALID_ADDRESS"


# --- tron ---------------------------------------------------------------------------------


def test_tron_addresses() -> None:
    usdt_contract = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    assert validate_tron_address(usdt_contract) == usdt_contract
    built = b58check_encode(b"\x41" + hashlib.sha256(b"acct").digest()[:20])
    assert built.startswith("T")
    assert validate_tron_address(built) == built


@pytest.mark.parametrize(
    "address",
    [
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u",  # checksum broken
        "tr7nhqjekqxgtci8q8zy4pl8otszgjlj6t",
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",  # BTC version byte
        "41a614f803b6fd780986a42c78ec9c7f77e6ded13c",  # hex form is not accepted
        "",
    ],
)
def test_invalid_tron_addresses(address: str) -> None:
    assert _code(validate_tron_address, address) == "INVALID_ADDRESS"


# --- dispatcher -------------------------------------------------------------------------


def test_dispatcher_routes_by_network() -> None:
    assert validate_crypto_address("BTC", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4") == (
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    )
    assert validate_crypto_address("erc20", EIP55[0].lower()) == EIP55[0]
    assert validate_crypto_address("ETH", EIP55[1]) == EIP55[1]
    assert validate_crypto_address("TRC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").startswith("TR7")
    assert _code(validate_crypto_address, "ERC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t") == (
        "INVALID_ADDRESS"
    )
    assert _code(validate_crypto_address, "BTC", EIP55[0]) == "INVALID_ADDRESS"
    assert _code(validate_crypto_address, "SOL", "whatever") == "UNSUPPORTED_NETWORK"
