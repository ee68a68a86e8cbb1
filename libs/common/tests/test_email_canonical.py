"""The canonical e-mail form (issue 13, finding 7): one spelling per account.

Properties: the canonical form is ASCII and idempotent; compatibility variants
(full-width letters, mathematical letters, upper case) of an address reduce to the
same key; a look-alike letter of another script, a combining mark or an invisible
character in the local part is refused (never a key of its own)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burency_common.validators import InvalidValue, canonical_email, email_lookup_key

LOCAL_CHARS = string.ascii_letters + string.digits + "._-+"
# Latin letter -> a letter of another script that renders the same (TR39 confusables).
HOMOGLYPHS = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440", "x": "\u0445",
    "y": "\u0443", "i": "\u0456", "j": "\u0458", "s": "\u0455", "A": "\u0391", "B": "\u0392",
    "E": "\u0395", "H": "\u0397", "K": "\u039a", "M": "\u039c", "O": "\u039f", "T": "\u03a4",
}  # fmt: skip
COMBINING = ["\u0301", "\u0300", "\u0308", "\u0327", "\u0336"]


def _fullwidth(ch: str) -> str:
    return chr(ord(ch) - 0x21 + 0xFF01) if "!" <= ch <= "~" else ch


def _math_bold(ch: str) -> str:
    if "a" <= ch <= "z":
        return chr(0x1D41A + ord(ch) - ord("a"))
    if "A" <= ch <= "Z":
        return chr(0x1D400 + ord(ch) - ord("A"))
    return ch


locals_ = st.text(LOCAL_CHARS, min_size=1, max_size=20).filter(
    lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s
)
domains = st.sampled_from(["example.com", "Example.COM", "mail.example.org", "xn--mnchen-3ya.de"])


@given(local=locals_, domain=domains)
def test_canonical_form_is_ascii_and_idempotent(local: str, domain: str) -> None:
    first = canonical_email(f"{local}@{domain}")
    assert first.address.isascii()
    assert first.key == first.address.lower()
    again = canonical_email(first.address)
    assert again == first
    assert email_lookup_key(first.address) == first.key


@given(
    local=locals_,
    domain=domains,
    variant=st.sampled_from([_fullwidth, _math_bold, str.upper]),
    data=st.data(),
)
def test_compatibility_variants_share_the_key(
    local: str, domain: str, variant: object, data: st.DataObject
) -> None:
    assert callable(variant)
    mask = data.draw(st.lists(st.booleans(), min_size=len(local), max_size=len(local)))
    spelled = "".join(variant(ch) if flip else ch for ch, flip in zip(local, mask, strict=True))
    at = data.draw(st.sampled_from(["@", "\uff20"]))
    assert canonical_email(f"{spelled}{at}{domain}").key == canonical_email(f"{local}@{domain}").key


@given(local=locals_.filter(lambda s: any(ch in HOMOGLYPHS for ch in s)), data=st.data())
def test_a_homoglyph_in_the_local_part_is_refused(local: str, data: st.DataObject) -> None:
    positions = [i for i, ch in enumerate(local) if ch in HOMOGLYPHS]
    i = data.draw(st.sampled_from(positions))
    spoof = local[:i] + HOMOGLYPHS[local[i]] + local[i + 1 :]
    with pytest.raises(InvalidValue) as caught:
        canonical_email(f"{spoof}@example.com")
    assert caught.value.code == "EMAIL_NOT_ALLOWED"


@given(local=locals_.filter(lambda s: s[-1].isalpha()), mark=st.sampled_from(COMBINING))
def test_a_combining_mark_is_refused(local: str, mark: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        canonical_email(f"{local}{mark}@example.com")
    assert caught.value.code in ("EMAIL_NOT_ALLOWED", "INVALID_EMAIL")


@pytest.mark.parametrize(
    "spoof",
    [
        "alice\u200b@example.com",  # zero-width space
        "ali\u00adce@example.com",  # soft hyphen
        "alice@p\u0430ypal.com",  # Cyrillic a in a Latin domain label
        "alice@\u0435xample.com",  # Cyrillic e
    ],
)
def test_invisible_characters_and_mixed_script_domains_are_refused(spoof: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        canonical_email(spoof)
    assert caught.value.code in ("EMAIL_NOT_ALLOWED", "INVALID_EMAIL")


def test_the_reported_examples() -> None:
    assert canonical_email("\uff21\uff2c\uff29\uff23\uff25@example.com").key == "alice@example.com"
    for spoof in ("\u0430lice@example.com", "alice\u0301@example.com"):
        with pytest.raises(InvalidValue) as caught:
            canonical_email(spoof)
        assert caught.value.code == "EMAIL_NOT_ALLOWED"
    idn = canonical_email("user@M\u00fcnchen.de")
    assert idn.address == "user@xn--mnchen-3ya.de"
    assert canonical_email("Alice@Example.COM").address == "Alice@example.com"
