"""JWT headers, key ids and garbage input: refused with a TokenError, never a crash."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from burency_common.tokens import (
    KeyRing,
    SigningKey,
    TokenError,
    TokenKeyUnknown,
    TokenMalformed,
    decode_unverified,
)

from .support.jwt import (
    DROP,
    b64,
    claims,
    issue,
    rejects,
    signed,
    verify,
)

# --- header and key id ---------------------------------------------------------------


def test_unknown_kid(key: SigningKey, ring: KeyRing) -> None:
    stranger = SigningKey.generate()
    with pytest.raises(TokenKeyUnknown) as info:
        verify(issue(stranger), ring)
    assert info.value.code == "TOKEN_UNKNOWN_KEY"
    assert info.value.kid == stranger.kid
    assert stranger.kid not in str(info.value)


def test_missing_kid(key: SigningKey, ring: KeyRing) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(), kid=DROP), ring)


@pytest.mark.parametrize("kid", [1, None, "", "a b", "x" * 200, "../../etc/passwd", ["k"]])
def test_malformed_kid(key: SigningKey, ring: KeyRing, kid: Any) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(), kid=kid), ring)


def test_resolver_errors_pass_through(key: SigningKey) -> None:
    def resolver(kid: str) -> Ed25519PublicKey | None:
        raise TokenKeyUnknown(kid=kid)

    with pytest.raises(TokenKeyUnknown):
        verify(issue(key), KeyRing(key), keys=resolver)


@pytest.mark.parametrize(
    "header",
    [{"crit": ["exp"]}, {"b64": False, "crit": ["b64"]}, {"typ": "at+jwt"}, {"typ": 5}],
)
def test_unsupported_headers(key: SigningKey, ring: KeyRing, header: dict[str, Any]) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(), **header), ring)


def test_header_typ_may_be_absent(key: SigningKey, ring: KeyRing) -> None:
    assert verify(signed(key, claims(), typ=DROP), ring)


# --- garbage -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "",
        " ",
        "abc",
        "a.b",
        "a.b.c",
        "a.b.c.d",
        "...",
        "eyJ.eyJ.sig",
        "é.é.é",
        "\x00.\x00.\x00",
        b64(b"[]") + "." + b64(b"{}") + ".AA",
        b64(b'{"alg":"EdDSA"') + "." + b64(b"{}") + ".AA",
        "Bearer " + b64(b"{}") + ".e30.AA",
        "x" * 9000,
    ],
)
def test_garbage(ring: KeyRing, token: str) -> None:
    with pytest.raises(TokenMalformed) as info:
        verify(token, ring)
    assert info.value.code == "TOKEN_MALFORMED"


@pytest.mark.parametrize("token", [None, b"a.b.c", 42])
def test_non_string_token(ring: KeyRing, token: Any) -> None:
    with pytest.raises(TokenMalformed):
        verify(token, ring)


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=300)
    | st.from_regex(r"[A-Za-z0-9_=-]{0,60}\.[A-Za-z0-9_=-]{0,60}\.[A-Za-z0-9_=-]{0,90}")
)
def test_random_input_only_raises_token_errors(text: str) -> None:
    ring = KeyRing(SigningKey.generate(kid="k1"))
    with pytest.raises(TokenError):
        verify(text, ring)


def test_decode_unverified(key: SigningKey) -> None:
    header, payload = decode_unverified(signed(SigningKey.generate(kid=key.kid), claims()))
    assert header["kid"] == key.kid
    assert payload["sub"] == "user-1"
    for bad in ["", "a.b.c", "x" * 9000]:
        with pytest.raises(TokenMalformed):
            decode_unverified(bad)
