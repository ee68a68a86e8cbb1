from __future__ import annotations

import pytest

from burency_common.validators import (
    InvalidValue,
    MarketSymbol,
    parse_market_symbol,
    validate_asset_symbol,
    validate_market_symbol,
)

QUOTES = {"USDT", "USD", "BTC", "AED"}


@pytest.mark.parametrize(
    ("raw", "symbol"), [("BTC", "BTC"), ("usdt", "USDT"), ("1inch", "1INCH"), ("AB", "AB")]
)
def test_valid_asset_symbols(raw: str, symbol: str) -> None:
    assert validate_asset_symbol(raw) == symbol


@pytest.mark.parametrize(
    "raw", ["", "B", "ABCDEFGHIJK", "BT C", "BTC-", "BTC\n", "ßß", "ＢＴＣ", "BTĆ", "١٢٣"]
)
def test_invalid_asset_symbols(raw: str) -> None:
    with pytest.raises(InvalidValue) as info:
        validate_asset_symbol(raw)
    assert info.value.code == "INVALID_SYMBOL"


@pytest.mark.parametrize("raw", ["BTC-USDT", "btc-usdt", "BTC/USDT", "btc/Usdt"])
def test_market_symbol_forms(raw: str) -> None:
    assert validate_market_symbol(raw) == "BTC-USDT"
    parsed = parse_market_symbol(raw)
    assert parsed == MarketSymbol("BTC", "USDT")
    assert (parsed.base, parsed.quote) == ("BTC", "USDT")
    assert str(parsed) == "BTC-USDT"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("BTCUSDT", "BTC-USDT"),
        ("ethbtc", "ETH-BTC"),
        ("USDTAED", "USDT-AED"),
        ("BTCUSD", "BTC-USD"),
    ],
)
def test_concatenated_form_needs_known_quotes(raw: str, canonical: str) -> None:
    assert validate_market_symbol(raw, known_quotes=QUOTES) == canonical
    with pytest.raises(InvalidValue):
        validate_market_symbol(raw)


@pytest.mark.parametrize(
    "raw",
    ["BTC", "BTC-", "-USDT", "BTC--USDT", "BTC-USDT-X", "BTC_USDT", "BTC-BTC", "BTC USDT", "USDT"],
)
def test_invalid_market_symbols(raw: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_market_symbol(raw, known_quotes=QUOTES)
    assert info.value.code == "INVALID_SYMBOL"


def test_concatenated_without_matching_quote() -> None:
    with pytest.raises(InvalidValue, match="quote"):
        parse_market_symbol("BTCEUR", known_quotes=QUOTES)
