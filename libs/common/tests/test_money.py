from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from burency_common.money import (
    MAX_MINOR,
    MIN_MINOR,
    AmountError,
    Asset,
    AssetRegistry,
    UnknownAssetError,
    format_amount,
    from_decimal,
    parse_amount,
    to_decimal,
)

bigints = st.integers(min_value=MIN_MINOR, max_value=MAX_MINOR)
scales = st.integers(min_value=0, max_value=18)
ascii_digits = st.text(alphabet="0123456789", min_size=1, max_size=25)


def _code(text: str, scale: int = 2, **kwargs: bool) -> str:
    with pytest.raises(AmountError) as info:
        parse_amount(text, scale, **kwargs)
    return info.value.code


# --- round trips -------------------------------------------------------------


@given(bigints, scales)
def test_format_then_parse_round_trips(n: int, scale: int) -> None:
    assert parse_amount(format_amount(n, scale), scale, allow_negative=True) == n


@given(bigints, scales)
def test_trimmed_format_round_trips(n: int, scale: int) -> None:
    text = format_amount(n, scale, trim=True)
    assert not (("." in text) and text.endswith("0"))
    assert parse_amount(text, scale, allow_negative=True) == n


@given(st.booleans(), ascii_digits, st.text(alphabet="0123456789", max_size=18), scales)
def test_parse_then_format_normalizes(negative: bool, whole: str, frac: str, scale: int) -> None:
    assume(len(frac) <= scale)
    text = ("-" if negative else "") + whole + ("." + frac if frac else "")
    exact = Decimal(text)
    assume(abs(exact) * 10**scale <= MAX_MINOR)
    minor = parse_amount(text, scale, allow_negative=True)
    expected = f"{abs(exact):.{scale}f}"
    assert format_amount(minor, scale) == ("-" + expected if exact < 0 else expected)
    assert to_decimal(minor, scale) == exact


@given(bigints, scales)
def test_decimal_interop_round_trips(n: int, scale: int) -> None:
    assert from_decimal(to_decimal(n, scale), scale) == n


# --- rejection of malformed strings --------------------------------------------


@given(ascii_digits, st.sampled_from(["e", "E"]), st.sampled_from(["", "+", "-"]), ascii_digits)
def test_exponents_rejected(mantissa: str, e: str, sign: str, exponent: str) -> None:
    assert _code(f"{mantissa}{e}{sign}{exponent}") == "INVALID_AMOUNT"


@given(
    st.sampled_from(["nan", "inf", "infinity", "snan", "-inf", "+inf", "-nan"]),
    st.lists(st.booleans(), min_size=9, max_size=9),
)
def test_non_finite_words_rejected_in_any_case(word: str, upper: list[bool]) -> None:
    mixed = "".join(c.upper() if u else c for c, u in zip(word, upper, strict=False))
    assert _code(mixed, allow_negative=True) == "INVALID_AMOUNT"


@given(
    st.text(alphabet="0123456789.", min_size=1, max_size=12),
    st.sampled_from([" ", "\t", "\n", "\r", "\u00a0", "\u2003", "\u200b", "_", ","]),
    st.integers(min_value=0, max_value=12),
)
def test_whitespace_and_separators_rejected(text: str, junk: str, pos: int) -> None:
    pos = min(pos, len(text))
    assert _code(text[:pos] + junk + text[pos:]) == "INVALID_AMOUNT"


@given(st.text(st.characters(categories=["Nd"]), min_size=1, max_size=6))
def test_non_ascii_digits_rejected(digits: str) -> None:
    assume(not digits.isascii())
    assert _code(digits) == "INVALID_AMOUNT"
    assert _code("1." + digits) == "INVALID_AMOUNT"


@pytest.mark.parametrize(
    "text",
    ["", "-", ".", ".5", "5.", "+5", "1.2.3", "--1", "0x10", "1/2", "١٢٣", "١.٥", "１２", "½", "Ⅻ"],
)
def test_malformed_literals_rejected(text: str) -> None:
    assert _code(text, allow_negative=True) == "INVALID_AMOUNT"


def test_overlong_input_rejected_even_if_numerically_fine() -> None:
    assert _code("0" * 200 + "1") == "INVALID_AMOUNT"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float_input_is_a_type_error(value: float) -> None:
    with pytest.raises(TypeError):
        parse_amount(value, 2)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [150, Decimal("1.5"), b"1.5", None, True])
def test_other_non_str_input_is_a_type_error(value: object) -> None:
    with pytest.raises(TypeError):
        parse_amount(value, 2)  # type: ignore[arg-type]


# --- precision, sign, zero and range ---------------------------------------------


@given(scales, st.text(alphabet="0123456789", max_size=5), st.sampled_from("123456789"))
def test_nonzero_digit_beyond_scale_rejected(scale: int, pad: str, digit: str) -> None:
    text = "1." + "0" * scale + pad + digit
    assert _code(text, scale) == "AMOUNT_PRECISION_EXCEEDED"


def test_trailing_zeros_beyond_scale_are_accepted() -> None:
    assert parse_amount("1.500000", 2) == 150
    assert parse_amount("7.0", 0) == 7
    assert _code("1.501", 2) == "AMOUNT_PRECISION_EXCEEDED"
    assert _code("0.5", 0) == "AMOUNT_PRECISION_EXCEEDED"


def test_examples_against_assets() -> None:
    reg = AssetRegistry.default()
    assert parse_amount("0.015", reg.get("BTC")) == 1_500_000
    assert format_amount(1_500_000, reg.get("BTC")) == "0.01500000"
    assert format_amount(1_500_000, reg.get("BTC"), trim=True) == "0.015"
    assert format_amount(100, 2, trim=True) == "1"
    assert format_amount(-5, 2) == "-0.05"
    assert format_amount(7, 0) == "7"
    assert parse_amount("007.50", 2) == 750
    assert parse_amount("1", reg.get("ETH")) == 10**9


def test_negative_needs_permission() -> None:
    assert _code("-1") == "NEGATIVE_AMOUNT"
    assert _code("-0") == "NEGATIVE_AMOUNT"
    assert parse_amount("-1.25", 2, allow_negative=True) == -125
    assert parse_amount("-0", 2, allow_negative=True) == 0


def test_zero_can_be_refused() -> None:
    assert parse_amount("0.00", 2) == 0
    assert _code("0.00", allow_zero=False) == "ZERO_AMOUNT"
    assert parse_amount("0.01", 2, allow_zero=False) == 1


@given(st.integers(min_value=MAX_MINOR + 1, max_value=MAX_MINOR * 10**6), scales, st.booleans())
def test_beyond_bigint_rejected(n: int, scale: int, negative: bool) -> None:
    text = format_amount(-n if negative else n, scale)
    assert _code(text, scale, allow_negative=True) == "AMOUNT_TOO_LARGE"


def test_bigint_boundaries() -> None:
    assert parse_amount("92233720368547758.07", 2) == MAX_MINOR
    assert _code("92233720368547758.08") == "AMOUNT_TOO_LARGE"
    assert parse_amount("-92233720368547758.07", 2, allow_negative=True) == MIN_MINOR
    # -2**63 is a valid BIGINT but deliberately outside the symmetric range.
    assert _code("-92233720368547758.08", allow_negative=True) == "AMOUNT_TOO_LARGE"


def test_error_carries_code_and_message() -> None:
    with pytest.raises(ValueError, match="decimal places") as info:
        parse_amount("1.001", 2)
    assert isinstance(info.value, AmountError)
    assert info.value.code == "AMOUNT_PRECISION_EXCEEDED"
    assert info.value.message == str(info.value)


@pytest.mark.parametrize("scale", [-1, 19])
def test_bad_scale_is_a_programming_error(scale: int) -> None:
    with pytest.raises(ValueError, match="scale"):
        parse_amount("1", scale)
    with pytest.raises(ValueError, match="scale"):
        format_amount(1, scale)


def test_format_rejects_non_int() -> None:
    with pytest.raises(TypeError):
        format_amount(1.5, 2)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_amount(True, 2)


# --- Decimal interop ---------------------------------------------------------------


def test_from_decimal_exact_conversions() -> None:
    assert from_decimal(Decimal("1.50"), 2) == 150
    assert from_decimal(Decimal("1.5000000000"), 2) == 150
    assert from_decimal(Decimal("1E+3"), 8) == 100_000_000_000
    assert from_decimal(Decimal("-0.00000001"), 8) == -1
    assert from_decimal(Decimal("0E+1000000"), 2) == 0
    assert from_decimal(Decimal("1" + "0" * 5000 + "E-5000"), 2) == 100
    assert to_decimal(150, 2) == Decimal("1.50")
    assert str(to_decimal(150, 2)) == "1.50"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1.001", "AMOUNT_PRECISION_EXCEEDED"),
        ("1E-1000000", "AMOUNT_PRECISION_EXCEEDED"),
        ("1E+1000000", "AMOUNT_TOO_LARGE"),
        ("92233720368547758.08", "AMOUNT_TOO_LARGE"),
        ("NaN", "INVALID_AMOUNT"),
        ("-Infinity", "INVALID_AMOUNT"),
    ],
)
def test_from_decimal_rejects_inexact_or_out_of_range(value: str, code: str) -> None:
    with pytest.raises(AmountError) as info:
        from_decimal(Decimal(value), 2)
    assert info.value.code == code


def test_from_decimal_rejects_float() -> None:
    with pytest.raises(TypeError):
        from_decimal(1.5, 2)  # type: ignore[arg-type]


# --- assets and registry -------------------------------------------------------------


def test_default_registry() -> None:
    reg = AssetRegistry.default()
    assert [(a.symbol, a.scale, a.kind) for a in reg] == [
        ("AED", 2, "fiat"),
        ("USD", 2, "fiat"),
        ("USDT", 6, "crypto"),
        ("BTC", 8, "crypto"),
        ("ETH", 9, "crypto"),
    ]
    assert "BTC" in reg
    assert "XRP" not in reg
    assert len(reg) == 5
    assert reg.get("ETH").scale == 9


def test_unknown_asset_error() -> None:
    with pytest.raises(UnknownAssetError, match="DOGE") as info:
        AssetRegistry.default().get("DOGE")
    assert info.value.code == "UNKNOWN_ASSET"
    assert isinstance(info.value, LookupError)


def test_registry_from_config_and_conflicts() -> None:
    reg = AssetRegistry.from_config(
        [
            {"symbol": "SOL", "scale": 9, "kind": "crypto", "name": "Solana"},
            {"symbol": "EUR", "scale": 2, "kind": "fiat"},
        ]
    )
    assert reg.symbols() == ["SOL", "EUR"]
    assert reg.get("EUR") == Asset("EUR", 2, "fiat")
    reg.register(Asset("EUR", 2, "fiat"))  # identical re-registration is fine
    with pytest.raises(ValueError, match="already registered"):
        reg.register(Asset("EUR", 3, "fiat"))


@pytest.mark.parametrize(
    "entry",
    [
        {"symbol": "SOL", "scale": "9", "kind": "crypto"},
        {"symbol": "SOL", "scale": 9, "kind": "stock"},
        {"symbol": "sol", "scale": 9, "kind": "crypto"},
        {"symbol": "SOL", "scale": 19, "kind": "crypto"},
        {"scale": 9, "kind": "crypto"},
    ],
)
def test_registry_from_config_rejects_bad_rows(entry: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any config error is a ValueError
        AssetRegistry.from_config([entry])


def test_asset_is_frozen() -> None:
    asset = Asset("BTC", 8, "crypto", "Bitcoin")
    with pytest.raises(AttributeError):
        asset.scale = 2  # type: ignore[misc]
