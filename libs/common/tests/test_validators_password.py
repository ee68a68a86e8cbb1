from __future__ import annotations

import subprocess
import sys

import pytest

from burency_common.validators import InvalidValue, validate_password
from burency_common.validators.password import _common_passwords


def _code(password: str, **kwargs: object) -> str:
    with pytest.raises(InvalidValue) as info:
        validate_password(password, **kwargs)  # type: ignore[arg-type]
    return info.value.code


def test_length_bounds_in_code_points() -> None:
    assert _code("kq8!vz2") == "PASSWORD_TOO_SHORT"
    assert validate_password("kq8!vz2m") == "kq8!vz2m"
    assert validate_password("x7" * 64) == "x7" * 64
    assert _code("x7" * 64 + "q") == "PASSWORD_TOO_LONG"
    # 8 code points of Arabic/emoji are 8 characters, whatever their UTF-8 size.
    assert validate_password("كلمةسرية") == "كلمةسرية"
    assert validate_password("🔐🦊🌵🚀🎲🧩🛰️") == "🔐🦊🌵🚀🎲🧩🛰️"


def test_length_counted_after_nfkc() -> None:
    # "e" + COMBINING ACUTE composes to one code point: 4 characters, not 8.
    assert _code("e\u0301" * 4) == "PASSWORD_TOO_SHORT"
    # The ligature "ﬃ" expands to "ffi" under NFKC: 3 + 6 = 9 characters.
    assert validate_password("ﬃzq81kx") == "ffizq81kx"


def test_no_composition_rules() -> None:
    for pw in ["correct horse battery staple", "zzzzqqqqwwwwmmmm", "8675301492736"]:
        assert validate_password(pw) == pw


@pytest.mark.parametrize(
    "password",
    [
        "password",
        "PASSWORD",
        "PassWord1",
        "12345678",
        "123456789",
        "qwerty123",
        "iloveyou",
        "1q2w3e4r",
        "sunshine",
        "football",
        "trustno1",
        "ｐａｓｓｗｏｒｄ",
        "password123",
        "burency123",
    ],
)
def test_common_passwords_rejected(password: str) -> None:
    assert _code(password) == "PASSWORD_TOO_COMMON"


def test_blocklist_is_substantial_and_lowercase() -> None:
    words = _common_passwords()
    assert len(words) >= 1000
    assert sum(len(w) >= 8 for w in words) >= 1000
    assert all(w == w.lower() and w == w.strip() for w in words)
    assert not any(w.startswith("# ") for w in words)


@pytest.mark.parametrize(
    ("password", "inputs"),
    [
        ("alice.smith@example.com", ["alice.smith@example.com"]),
        ("ALICE.SMITH@EXAMPLE.COM", ["alice.smith@example.com"]),
        ("alice.smith-2026!", ["alice.smith@example.com"]),
        ("my-satoshi_n-pass", ["satoshi_n"]),
        ("zed", ["zed"]),
    ],
)
def test_user_info_rejected(password: str, inputs: list[str]) -> None:
    code = _code(password, user_inputs=inputs)
    expected = "PASSWORD_TOO_SHORT" if len(password) < 8 else "PASSWORD_CONTAINS_USER_INFO"
    assert code == expected


def test_short_user_inputs_only_block_exact_match() -> None:
    assert validate_password("bobcat-lantern-9", user_inputs=["bob"]) == "bobcat-lantern-9"
    assert _code("xq7vzpl3", user_inputs=["XQ7VZPL3"]) == "PASSWORD_CONTAINS_USER_INFO"
    assert validate_password("kq8!vz2m", user_inputs=["", "  "]) == "kq8!vz2m"


def test_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        validate_password(b"password123")  # type: ignore[arg-type]


def test_nothing_loaded_at_import_time() -> None:
    code = (
        "import sys\n"
        "import burency_common.validators\n"
        "from burency_common.validators.password import _common_passwords\n"
        "assert _common_passwords.cache_info().currsize == 0\n"
        "assert 'phonenumbers' not in sys.modules\n"
        "burency_common.validators.validate_password('kq8!vz2m')\n"
        "assert _common_passwords.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
