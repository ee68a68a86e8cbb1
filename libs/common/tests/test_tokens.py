"""JWT issue/verify: the happy path, issuing rules and the error tree."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from burency_common.tokens import (
    KeyRing,
    SigningKey,
    TokenAlgorithmNotAllowed,
    TokenAudienceInvalid,
    TokenError,
    TokenExpired,
    TokenIssuerInvalid,
    TokenKeysUnavailable,
    TokenKeyUnknown,
    TokenMalformed,
    TokenNotYetValid,
    TokenRevoked,
    TokenSignatureInvalid,
    TokenType,
    TokenTypeInvalid,
    decode_unverified,
    verify_token,
)

from .support.jwt import (
    AUD,
    ISS,
    NOW,
    TS,
    TTL,
    issue,
    verify,
)

# --- happy path and issuing ----------------------------------------------------------


def test_round_trip(key: SigningKey, ring: KeyRing) -> None:
    token = issue(ring)
    verified = verify(token, ring)
    assert verified.subject == "user-1"
    assert verified.token_type is TokenType.ACCESS
    assert verified.kid == key.kid
    assert verified.issued_at == NOW
    assert verified.expires_at == NOW + TTL
    assert verified.claims["roles"] == ["trader"]
    assert verified.claims["sid"] == "s-1"
    assert uuid.UUID(verified.jti).version == 4
    header, payload = decode_unverified(token)
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": key.kid}
    assert payload["typ"] == "access"
    assert payload["nbf"] == payload["iat"] == TS
    assert payload["iat_us"] == TS * 1_000_000
    assert set(payload) == {
        "sub", "iss", "aud", "iat", "iat_us", "nbf", "exp", "jti", "typ", "roles", "sid",
    }  # fmt: skip


def test_refresh_jwt_round_trip(ring: KeyRing) -> None:
    token = issue(ring, token_type=TokenType.REFRESH)
    assert verify(token, ring, expected_type=TokenType.REFRESH).token_type is TokenType.REFRESH


def test_jti_is_random(ring: KeyRing) -> None:
    assert len({verify(issue(ring), ring).jti for _ in range(20)}) == 20


def test_verify_accepts_mapping_and_callable(key: SigningKey) -> None:
    token = issue(key)
    kw: dict[str, Any] = {
        "issuer": ISS,
        "audience": AUD,
        "expected_type": TokenType.ACCESS,
        "now": NOW,
    }
    assert verify_token(token, keys={key.kid: key.public_key}, **kw).kid == key.kid
    assert verify_token(token, keys=lambda kid: key.public_key, **kw).kid == key.kid


@pytest.mark.parametrize("name", ["sub", "iss", "aud", "iat", "nbf", "exp", "jti", "typ"])
def test_reserved_claims_cannot_be_overridden(ring: KeyRing, name: str) -> None:
    with pytest.raises(ValueError, match="reserved"):
        issue(ring, claims={name: "evil"})


@pytest.mark.parametrize(
    "overrides",
    [
        {"now": datetime(2025, 3, 1, 12, 0)},  # naive
        {"ttl": timedelta(0)},
        {"ttl": timedelta(seconds=-5)},
        {"subject": ""},
        {"issuer": ""},
        {"audience": ""},
    ],
)
def test_issue_rejects_bad_arguments(ring: KeyRing, overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        issue(ring, **overrides)


@pytest.mark.parametrize(
    "overrides",
    [{"now": datetime(2025, 3, 1, 12, 0)}, {"leeway": timedelta(seconds=-1)}, {"issuer": ""}],
)
def test_verify_rejects_bad_arguments(ring: KeyRing, overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        verify(issue(ring), ring, **overrides)


# --- error tree ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (TokenMalformed, "TOKEN_MALFORMED"),
        (TokenSignatureInvalid, "TOKEN_INVALID_SIGNATURE"),
        (TokenAlgorithmNotAllowed, "TOKEN_ALGORITHM_NOT_ALLOWED"),
        (TokenExpired, "TOKEN_EXPIRED"),
        (TokenNotYetValid, "TOKEN_NOT_YET_VALID"),
        (TokenAudienceInvalid, "TOKEN_INVALID_AUDIENCE"),
        (TokenIssuerInvalid, "TOKEN_INVALID_ISSUER"),
        (TokenTypeInvalid, "TOKEN_WRONG_TYPE"),
        (TokenKeyUnknown, "TOKEN_UNKNOWN_KEY"),
        (TokenRevoked, "TOKEN_REVOKED"),
        (TokenKeysUnavailable, "TOKEN_KEYS_UNAVAILABLE"),
    ],
)
def test_error_codes(exc: type[TokenError], code: str) -> None:
    assert issubclass(exc, TokenError)
    assert exc.code == code
    assert exc().code == code
    assert str(exc())
