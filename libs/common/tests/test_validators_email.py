from __future__ import annotations

import pytest

from burency_common.validators import InvalidValue, validate_email


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("alice@example.com", "alice@example.com"),
        ("Alice.Smith@Example.COM", "Alice.Smith@example.com"),
        ("  bob+tag@sub.example.org ", "bob+tag@sub.example.org"),
        ("user@BÜCHER.de", "user@bücher.de"),
    ],
)
def test_valid_emails_are_normalized(raw: str, normalized: str) -> None:
    assert validate_email(raw) == normalized


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "plainaddress",
        "@example.com",
        "alice@",
        "alice@@example.com",
        "alice@example..com",
        "alice@example",
        "alice smith@example.com",
        "Alice <alice@example.com>",
        "alice@-example.com",
        "a" * 65 + "@example.com",
    ],
)
def test_invalid_emails_rejected(raw: str) -> None:
    with pytest.raises(InvalidValue) as info:
        validate_email(raw)
    assert info.value.code == "INVALID_EMAIL"
    assert isinstance(info.value, ValueError)


def test_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        validate_email(None)  # type: ignore[arg-type]
