"""The Authenticator remembers verified access tokens, never what revocation says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from burency_common.errors import BurencyError
from burency_common.tokens import KeyRing, SigningKey, TokenType, VerifiedToken, issue_token
from burency_gateway.security import Authenticator, LocalKeySource, MemoryRevocationStore
from burency_gateway.security.authn import VERIFIED_CACHE_SIZE, VERIFIED_CACHE_TTL

NOW = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)
TTL = timedelta(minutes=15)


class CountingKeys(LocalKeySource):
    """The embedded key source, counting the signature checks it makes."""

    def __init__(self, ring: KeyRing) -> None:
        super().__init__(ring)
        self.calls = 0

    async def verify(self, token: str, **kwargs: Any) -> VerifiedToken:
        self.calls += 1
        return await super().verify(token, **kwargs)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing(SigningKey.generate())


def token(ring: KeyRing, sid: str = "sess-1", now: datetime = NOW) -> str:
    return issue_token(
        ring,
        subject="user-1",
        token_type=TokenType.ACCESS,
        issuer="iss",
        audience="aud",
        ttl=TTL,
        now=now,
        claims={"roles": ["trader"], "sid": sid, "email_verified": True},
    )


def authenticator(ring: KeyRing, clock: Clock) -> tuple[Authenticator, CountingKeys, Any]:
    keys = CountingKeys(ring)
    store = MemoryRevocationStore(clock=clock)
    authn = Authenticator(keys, issuer="iss", audience="aud", revocations=store, clock=clock)
    return authn, keys, store


async def test_a_token_is_verified_once_then_remembered(ring: KeyRing) -> None:
    clock = Clock()
    authn, keys, _ = authenticator(ring, clock)
    value = f"Bearer {token(ring)}"
    first = await authn.authenticate(value)
    clock.now += timedelta(seconds=1)
    again = await authn.authenticate(value)
    assert first == again
    assert again is not None
    assert again.email_verified
    assert keys.calls == 1


async def test_revocation_is_asked_on_every_request(ring: KeyRing) -> None:
    clock = Clock()
    authn, keys, store = authenticator(ring, clock)
    value = f"Bearer {token(ring)}"
    assert await authn.authenticate(value) is not None
    await store.revoke_session("sess-1", NOW + TTL)
    with pytest.raises(BurencyError) as caught:
        await authn.authenticate(value)
    assert (caught.value.status, caught.value.code) == (401, "TOKEN_REVOKED")
    assert keys.calls == 1  # refused from the cache's identity, by the revocation store


async def test_remembered_at_most_the_ttl_and_never_past_expiry(ring: KeyRing) -> None:
    clock = Clock()
    authn, keys, _ = authenticator(ring, clock)
    value = f"Bearer {token(ring)}"
    await authn.authenticate(value)
    clock.now += VERIFIED_CACHE_TTL
    await authn.authenticate(value)
    assert keys.calls == 2  # verified again after the TTL
    clock.now = NOW + TTL + timedelta(minutes=5)  # past expiry and any leeway
    with pytest.raises(BurencyError) as caught:
        await authn.authenticate(value)
    assert (caught.value.status, caught.value.code) == (401, "TOKEN_EXPIRED")


async def test_a_refused_token_is_not_remembered(ring: KeyRing) -> None:
    clock = Clock()
    authn, keys, _ = authenticator(ring, clock)
    other = KeyRing(SigningKey.generate())
    for _ in range(2):
        with pytest.raises(BurencyError):
            await authn.authenticate(f"Bearer {token(other)}")
    assert keys.calls == 2


async def test_the_cache_is_bounded(ring: KeyRing) -> None:
    clock = Clock()
    authn, keys, _ = authenticator(ring, clock)
    first = f"Bearer {token(ring, sid='s-0')}"
    await authn.authenticate(first)
    for n in range(1, VERIFIED_CACHE_SIZE + 1):  # pushes the first one out
        await authn.authenticate(f"Bearer {token(ring, sid=f's-{n}')}")
    calls = keys.calls
    await authn.authenticate(first)
    assert keys.calls == calls + 1
