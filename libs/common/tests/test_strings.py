from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burency_common.strings import (
    constant_time_equals,
    mask_secret,
    sanitize_filename,
    slugify,
    to_camel,
    to_snake,
    truncate,
)


@pytest.mark.parametrize(
    ("snake", "camel"),
    [("user_id", "userId"), ("created_at_ms", "createdAtMs"), ("name", "name"), ("", "")],
)
def test_to_camel(snake: str, camel: str) -> None:
    assert to_camel(snake) == camel


@pytest.mark.parametrize(
    ("camel", "snake"),
    [
        ("userId", "user_id"),
        ("createdAtMs", "created_at_ms"),
        ("HTTPResponseCode", "http_response_code"),
        ("getHTTP2Url", "get_http2_url"),
        ("name", "name"),
    ],
)
def test_to_snake(camel: str, snake: str) -> None:
    assert to_snake(camel) == snake


# Words of 2+ characters: "a_b_c" -> "aBC" is inherently ambiguous (reads as an acronym).
@given(st.lists(st.from_regex(r"[a-z][a-z0-9]{1,6}", fullmatch=True), min_size=1, max_size=5))
def test_snake_camel_round_trip(words: list[str]) -> None:
    snake = "_".join(words)
    assert to_snake(to_camel(snake)) == snake


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Héllo, World!", "hello-world"),
        ("  BTC / USDT  ", "btc-usdt"),
        ("Crème brûlée 2026", "creme-brulee-2026"),
        ("مرحبا", ""),
        ("a--b__c", "a-b-c"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_max_length_does_not_end_in_dash() -> None:
    assert slugify("hello world again", max_length=6) == "hello"


@given(st.text(max_size=50))
def test_slug_is_always_safe(text: str) -> None:
    slug = slugify(text)
    assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in slug)
    assert not slug.startswith("-")
    assert not slug.endswith("-")


def test_mask_secret() -> None:
    assert mask_secret("sk_live_abcdefgh") == "****efgh"
    assert mask_secret("abcdefghijkl", visible=4) == "****ijkl"
    assert mask_secret("abcdefghijk", visible=4) == "****"  # suffix would be > 1/3
    assert mask_secret("short") == "****"
    assert mask_secret("") == "****"
    assert mask_secret("abcdefghijkl", visible=0) == "****"
    with pytest.raises(ValueError, match="negative"):
        mask_secret("abc", visible=-1)


@given(st.text(min_size=0, max_size=64), st.integers(min_value=0, max_value=8))
def test_mask_never_reveals_more_than_a_third(secret: str, visible: int) -> None:
    masked = mask_secret(secret, visible)
    assert masked.startswith("****")
    revealed = len(masked) - 4
    assert revealed * 3 <= len(secret)
    assert secret.endswith(masked[4:])


def test_truncate() -> None:
    assert truncate("hello world", 20) == "hello world"
    assert truncate("hello world", 8) == "hello w…"
    assert truncate("hello world", 8, ellipsis="...") == "hello..."
    assert truncate("hello", 0) == ""
    assert truncate("hello", 2, ellipsis="...") == ".."
    with pytest.raises(ValueError, match="negative"):
        truncate("x", -1)


@given(st.text(max_size=40), st.integers(min_value=0, max_value=40))
def test_truncate_respects_limit(text: str, n: int) -> None:
    out = truncate(text, n)
    assert len(out) <= n
    if len(text) <= n:
        assert out == text


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("résumé final.PDF", "resume_final.PDF"),
        ("تقرير.pdf", "file.pdf"),
        (".bashrc", "file.bashrc"),
        ("a\x00b\nc.txt", "a_b_c.txt"),
        ("", "file"),
        ("...", "file"),
        ("..", "file"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("archive.tar.gz", "archive.tar.gz"),
    ],
)
def test_sanitize_filename(name: str, safe: str) -> None:
    assert sanitize_filename(name) == safe


def test_sanitize_filename_caps_length_and_keeps_extension() -> None:
    out = sanitize_filename("x" * 400 + ".jpeg")
    assert len(out) == 255
    assert out.endswith(".jpeg")


@given(st.text(max_size=300))
def test_sanitized_names_are_always_safe(name: str) -> None:
    out = sanitize_filename(name)
    assert 1 <= len(out) <= 255
    assert out.isascii()
    assert "/" not in out
    assert "\\" not in out
    assert not out.startswith(".")
    assert all(c.isalnum() or c in "._-" for c in out)


def test_constant_time_equals() -> None:
    assert constant_time_equals("token", "token")
    assert not constant_time_equals("token", "tokem")
    assert not constant_time_equals("token", "token2")
    assert constant_time_equals("ключ", "ключ")
    assert constant_time_equals(b"\x00\x01", b"\x00\x01")
    with pytest.raises(TypeError):
        constant_time_equals("a", b"a")
