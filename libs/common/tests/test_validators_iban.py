from __future__ import annotations

import pytest

from burency_common.validators import InvalidValue, validate_iban
from burency_common.validators.iban import IBAN_LENGTHS

VALID = [
    "GB82WEST12345698765432",
    "AE070331234567890123456",
    "DE89370400440532013000",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "BE68539007547034",
    "CH9300762011623852957",
    "NO9386011117947",
    "SA0380000000608010167519",
]


def _with_check_digits(country: str, bban: str) -> str:
    """Independent ISO 7064 MOD 97-10 check-digit computation for building vectors."""
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def _code(value: str) -> str:
    with pytest.raises(InvalidValue) as info:
        validate_iban(value)
    return info.value.code


@pytest.mark.parametrize("iban", VALID)
def test_valid_ibans(iban: str) -> None:
    assert validate_iban(iban) == iban


def test_spaces_and_case_normalized() -> None:
    assert validate_iban("gb82 west 1234 5698 7654 32") == "GB82WEST12345698765432"
    assert validate_iban("AE07 0331 2345 6789 0123 456") == "AE070331234567890123456"


@pytest.mark.parametrize("iban", VALID[:3])
def test_every_single_digit_change_is_caught(iban: str) -> None:
    for pos, char in enumerate(iban):
        if pos < 2 or not char.isdigit():
            continue
        for other in "0123456789":
            if other != char:
                assert _code(iban[:pos] + other + iban[pos + 1 :]) == "INVALID_IBAN"


@pytest.mark.parametrize(
    "iban",
    [
        "",
        "GB82WEST1234569876543",  # one char short
        "GB82WEST123456987654321",  # one char long
        "GB82-WEST-1234-5698-7654-32",
        "GB82WEST12345698765432\n",
        "1282WEST12345698765432",
        "GBX2WEST12345698765432",
        "GB82WEST1234569876543ß",
        "GB82WEST1234569876543٢",
    ],
)
def test_malformed_ibans_rejected(iban: str) -> None:
    assert _code(iban) == "INVALID_IBAN"


def test_known_country_length_enforced_even_with_good_checksum() -> None:
    short = _with_check_digits("AE", "03312345678901234")  # AE needs 23, this is 21
    assert len(short) == 21
    assert _code(short) == "INVALID_IBAN"
    assert validate_iban(_with_check_digits("AE", "0331234567890123456")) == VALID[1]


def test_unknown_country_uses_generic_bounds() -> None:
    assert "ZZ" not in IBAN_LENGTHS
    ok = _with_check_digits("ZZ", "ABCD123456789")
    assert validate_iban(ok) == ok
    assert _code(_with_check_digits("ZZ", "ABCD12345")) == "INVALID_IBAN"  # < 15 chars


def test_impossible_check_digits_rejected_even_if_mod97_holds() -> None:
    # Find a BBAN whose real check digits are 98/97/02: "01"/"00"/"99" alias them mod 97.
    aliases = {"98": "01", "97": "00", "02": "99"}
    found = set()
    for n in range(100_000):
        iban = _with_check_digits("DE", f"{n:018d}")
        alias = aliases.get(iban[2:4])
        if alias and alias not in found:
            found.add(alias)
            assert validate_iban(iban) == iban
            assert _code(iban[:2] + alias + iban[4:]) == "INVALID_IBAN"
        if len(found) == 3:
            break
    assert found == {"01", "00", "99"}


def test_table_covers_required_countries() -> None:
    assert len(IBAN_LENGTHS) >= 30
    assert (IBAN_LENGTHS["AE"], IBAN_LENGTHS["GB"], IBAN_LENGTHS["DE"], IBAN_LENGTHS["FR"]) == (
        23,
        22,
        22,
        27,
    )
