"""The gateway copies the access token's ``email_verified`` claim into the signed
identity (issue 13, finding 5); a token without it is not verified, a forged type is
malformed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from burency_common.errors import Unauthenticated
from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token
from burency_gateway.security import Authenticator, LocalKeySource, MemoryRevocationStore

NOW = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)


def _authn(ring: KeyRing) -> Authenticator:
    store = MemoryRevocationStore(clock=lambda: NOW)
    return Authenticator(
        LocalKeySource(ring), issuer="iss", audience="aud", revocations=store, clock=lambda: NOW
    )


def _token(ring: KeyRing, **claims: object) -> str:
    return issue_token(
        ring, subject="user-1", token_type=TokenType.ACCESS, issuer="iss", audience="aud",
        ttl=timedelta(minutes=5), now=NOW, claims={"roles": ["user"], "sid": "s-1", **claims},
    )  # fmt: skip


@pytest.mark.parametrize(("claims", "expected"), [
    ({"email_verified": True}, True),
    ({"email_verified": False}, False),
    ({}, False),  # issued before the claim existed
])  # fmt: skip
async def test_the_claim_becomes_the_identity_flag(
    claims: dict[str, object], expected: bool
) -> None:
    ring = KeyRing(SigningKey.generate())
    identity = await _authn(ring).authenticate(f"Bearer {_token(ring, **claims)}")
    assert identity is not None
    assert identity.email_verified is expected


@pytest.mark.parametrize("value", ["true", 1, ["yes"]])
async def test_a_claim_that_is_not_a_boolean_is_refused(value: object) -> None:
    ring = KeyRing(SigningKey.generate())
    with pytest.raises(Unauthenticated) as caught:
        await _authn(ring).authenticate(f"Bearer {_token(ring, email_verified=value)}")
    assert caught.value.code == "TOKEN_MALFORMED"
