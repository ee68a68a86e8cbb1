"""Hand-built JWTs for the token tests: every byte under the test's control."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from burency_common.tokens import (
    KeyRing,
    SigningKey,
    TokenError,
    TokenType,
    issue_token,
    verify_token,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TS = int(NOW.timestamp())
ISS = "burency-auth"
AUD = "burency-api"
TTL = timedelta(minutes=15)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def compact(header: dict[str, Any], payload: bytes, sign: Callable[[bytes], bytes]) -> str:
    """Build a compact JWS by hand so tests control every byte (no library guard rails)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(payload)}"
    return f"{signing_input}.{b64(sign(signing_input.encode('ascii')))}"


def claims(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sub": "user-1",
        "iss": ISS,
        "aud": AUD,
        "iat": TS,
        "nbf": TS,
        "exp": TS + 900,
        "jti": str(uuid.uuid4()),
        "typ": "access",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not DROP}


DROP = object()


def signed(key: SigningKey, payload: dict[str, Any] | bytes, **header: Any) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    hdr = {"alg": "EdDSA", "typ": "JWT", "kid": key.kid, **header}
    return compact({k: v for k, v in hdr.items() if v is not DROP}, raw, key.private_key.sign)


def hs256(secret: bytes) -> Callable[[bytes], bytes]:
    return lambda msg: hmac.new(secret, msg, hashlib.sha256).digest()


def issue(key: SigningKey | KeyRing, **overrides: Any) -> str:
    kwargs: dict[str, Any] = {
        "subject": "user-1",
        "token_type": TokenType.ACCESS,
        "issuer": ISS,
        "audience": AUD,
        "ttl": TTL,
        "now": NOW,
        "claims": {"roles": ["trader"], "sid": "s-1"},
    }
    kwargs.update(overrides)
    return issue_token(key, **kwargs)


def verify(token: str, ring: KeyRing, **overrides: Any) -> Any:
    kwargs: dict[str, Any] = {
        "keys": ring,
        "issuer": ISS,
        "audience": AUD,
        "expected_type": TokenType.ACCESS,
        "now": NOW,
    }
    kwargs.update(overrides)
    return verify_token(token, **kwargs)


def rejects(exc: type[TokenError], code: str, token: str, ring: KeyRing, **kw: Any) -> None:
    with pytest.raises(exc) as info:
        verify(token, ring, **kw)
    assert type(info.value) is exc
    assert info.value.code == code
    assert token not in str(info.value)
    for segment in token.split("."):
        if len(segment) > 8:
            assert segment not in str(info.value)
