"""JWT claims: expiry, not-before, audience, issuer, type and claim typing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from burency_common.tokens import (
    KeyRing,
    SigningKey,
    TokenAudienceInvalid,
    TokenExpired,
    TokenIssuerInvalid,
    TokenMalformed,
    TokenNotYetValid,
    TokenType,
    TokenTypeInvalid,
)

from .support.jwt import (
    AUD,
    DROP,
    ISS,
    NOW,
    TS,
    TTL,
    claims,
    issue,
    rejects,
    signed,
    verify,
)

# --- claims --------------------------------------------------------------------------


def test_expired(ring: KeyRing) -> None:
    token = issue(ring)
    leeway = timedelta(seconds=30)
    assert verify(token, ring, now=NOW + TTL + leeway - timedelta(seconds=1))
    rejects(TokenExpired, "TOKEN_EXPIRED", token, ring, now=NOW + TTL + leeway)
    rejects(TokenExpired, "TOKEN_EXPIRED", token, ring, now=NOW + TTL, leeway=timedelta(0))


def test_not_yet_valid(key: SigningKey, ring: KeyRing) -> None:
    token = signed(key, claims(nbf=TS + 120))
    rejects(TokenNotYetValid, "TOKEN_NOT_YET_VALID", token, ring)
    assert verify(token, ring, now=NOW + timedelta(seconds=90))  # within the 30 s leeway


def test_issued_in_the_future(key: SigningKey, ring: KeyRing) -> None:
    token = signed(key, claims(iat=TS + 120))
    rejects(TokenNotYetValid, "TOKEN_NOT_YET_VALID", token, ring)
    assert verify(token, ring, now=NOW + timedelta(seconds=100))


def test_post_dated_token_from_issue(ring: KeyRing) -> None:
    token = issue(ring, now=NOW + timedelta(minutes=5))
    rejects(TokenNotYetValid, "TOKEN_NOT_YET_VALID", token, ring)


def test_wrong_audience(ring: KeyRing) -> None:
    rejects(TokenAudienceInvalid, "TOKEN_INVALID_AUDIENCE", issue(ring, audience="other"), ring)
    rejects(TokenAudienceInvalid, "TOKEN_INVALID_AUDIENCE", issue(ring), ring, audience="burency")


def test_audience_list(key: SigningKey, ring: KeyRing) -> None:
    assert verify(signed(key, claims(aud=["x", AUD])), ring)
    rejects(
        TokenAudienceInvalid, "TOKEN_INVALID_AUDIENCE", signed(key, claims(aud=["x", "y"])), ring
    )


@pytest.mark.parametrize("aud", [[], 1, None, [AUD, 3], {"a": AUD}])
def test_malformed_audience(key: SigningKey, ring: KeyRing, aud: Any) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(aud=aud)), ring)


def test_wrong_issuer(key: SigningKey, ring: KeyRing) -> None:
    rejects(TokenIssuerInvalid, "TOKEN_INVALID_ISSUER", issue(ring, issuer="evil-auth"), ring)
    rejects(TokenIssuerInvalid, "TOKEN_INVALID_ISSUER", signed(key, claims(iss=ISS + " ")), ring)


def test_refresh_presented_as_access(ring: KeyRing) -> None:
    token = issue(ring, token_type=TokenType.REFRESH)
    rejects(TokenTypeInvalid, "TOKEN_WRONG_TYPE", token, ring)


def test_access_presented_as_refresh(key: SigningKey, ring: KeyRing) -> None:
    rejects(
        TokenTypeInvalid, "TOKEN_WRONG_TYPE", issue(ring), ring, expected_type=TokenType.REFRESH
    )
    rejects(TokenTypeInvalid, "TOKEN_WRONG_TYPE", signed(key, claims(typ="id")), ring)


@pytest.mark.parametrize("name", ["sub", "iss", "aud", "iat", "nbf", "exp", "jti", "typ"])
def test_missing_required_claim(key: SigningKey, ring: KeyRing, name: str) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(**{name: DROP})), ring)


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": "never"},
        {"exp": True},
        {"exp": -1},
        {"exp": 10**20},
        {"iat": None},
        {"nbf": [TS]},
        {"sub": 1},
        {"sub": ""},
        {"jti": None},
        {"typ": 1},
    ],
)
def test_ill_typed_claims(key: SigningKey, ring: KeyRing, overrides: dict[str, Any]) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(**overrides)), ring)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_exp_is_rejected(key: SigningKey, ring: KeyRing, constant: str) -> None:
    # NaN compares false with everything: a naive `now >= exp` check would pass it.
    body = json.dumps(claims(exp=0)).replace('"exp": 0', f'"exp": {constant}').encode()
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, body), ring)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"str"', b"", b"\xff\xfe"])
def test_signed_non_object_payload(key: SigningKey, ring: KeyRing, body: bytes) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, body), ring)
