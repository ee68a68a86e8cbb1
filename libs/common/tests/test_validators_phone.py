from __future__ import annotations

import pytest

from burency_common.validators import InvalidValue, validate_phone


@pytest.mark.parametrize(
    "number", ["+971501234567", "+97142222222", "+442071838750", "+14155552671", "+4915123456789"]
)
def test_valid_e164_numbers(number: str) -> None:
    assert validate_phone(number) == number


@pytest.mark.parametrize(
    "number",
    [
        "",
        "971501234567",  # no +
        "+971 50 123 4567",  # separators
        "+971-50-123-4567",
        "00971501234567",
        "+0971501234567",  # country codes never start with 0
        "+1234567",  # 7 digits: too short for E.164 here
        "+1234567890123456",  # 16 digits
        "+٩٧١٥٠١٢٣٤٥٦٧",  # Arabic-Indic digits
        "+97150123456",  # well-formed but not a real UAE number
        "+12345678",
        " +971501234567",
        "+971501234567\n",
    ],
)
def test_invalid_numbers_rejected(number: str) -> None:
    with pytest.raises(InvalidValue) as info:
        validate_phone(number)
    assert info.value.code == "INVALID_PHONE"


def test_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        validate_phone(971501234567)  # type: ignore[arg-type]
