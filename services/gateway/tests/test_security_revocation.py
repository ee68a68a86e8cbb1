"""One contract for both revocation stores; the Redis one runs against the real test Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis

from burency_common.errors import EventSchemaError
from burency_common.events import EventEnvelope, EventRegistry
from burency_common.events.auth import AUTH_TOKENS_REVOKED, TokensRevoked, register_auth_events
from burency_gateway.security import (
    MemoryRevocationStore,
    RedisRevocationStore,
    RevocationStore,
    apply_revocation_event,
)


def now() -> datetime:
    return datetime.now(UTC)


HOUR = timedelta(hours=1)


async def _until_forgotten(store: RevocationStore, jti: str) -> None:
    """Poll until the revocation of ``jti`` has lapsed (real Redis TTLs), with a deadline."""
    deadline = asyncio.get_running_loop().time() + 5
    while await store.is_revoked(jti, None, "user-1", now()):
        assert asyncio.get_running_loop().time() < deadline, f"{jti} never lapsed"
        await asyncio.sleep(0.05)  # polling with a deadline


class RevocationStoreContract:
    """Every ``RevocationStore`` must pass these; subclasses provide the ``store`` fixture."""

    @pytest.fixture
    def store(self) -> RevocationStore:
        raise NotImplementedError("subclasses provide this fixture")

    async def test_nothing_is_revoked_initially(self, store: RevocationStore) -> None:
        assert await store.healthy()
        assert not await store.is_revoked("jti-1", "sid-1", "user-1", now())

    async def test_revoke_token(self, store: RevocationStore) -> None:
        await store.revoke_token("jti-1", now() + HOUR)
        assert await store.is_revoked("jti-1", None, "user-1", now())
        assert await store.is_revoked("jti-1", "sid-1", "user-1", now())
        assert not await store.is_revoked("jti-2", "sid-1", "user-1", now())

    async def test_token_revocation_ends_when_the_token_would_expire(
        self, store: RevocationStore
    ) -> None:
        await store.revoke_token("jti-1", now() + timedelta(milliseconds=300))
        assert await store.is_revoked("jti-1", None, "user-1", now())
        await _until_forgotten(store, "jti-1")

    async def test_revoking_an_already_expired_token_is_a_no_op(
        self, store: RevocationStore
    ) -> None:
        await store.revoke_token("jti-1", now() - timedelta(seconds=1))
        assert not await store.is_revoked("jti-1", None, "user-1", now())

    async def test_revoke_session(self, store: RevocationStore) -> None:
        await store.revoke_session("sid-1", now() + HOUR)
        assert await store.is_revoked("any-jti", "sid-1", "user-1", now())
        assert not await store.is_revoked("any-jti", "sid-2", "user-1", now())
        assert not await store.is_revoked("any-jti", None, "user-1", now())

    async def test_a_shorter_revocation_never_shortens_a_longer_one(
        self, store: RevocationStore
    ) -> None:
        await store.revoke_session("sid-1", now() + HOUR)
        await store.revoke_session("sid-1", now() + timedelta(milliseconds=200))
        await store.revoke_token("jti-1", now() + HOUR)
        await store.revoke_token("jti-1", now() + timedelta(milliseconds=200))
        await store.revoke_token("probe", now() + timedelta(milliseconds=200))
        await _until_forgotten(store, "probe")  # the short revocations' time has passed
        assert await store.is_revoked("x", "sid-1", "user-1", now())
        assert await store.is_revoked("jti-1", None, "user-1", now())

    async def test_revoke_user_before(self, store: RevocationStore) -> None:
        cutoff = datetime(2026, 5, 1, 12, 0, 0, 500_000, tzinfo=UTC)
        await store.revoke_user_before("user-1", cutoff, now() + HOUR)
        before = cutoff - timedelta(seconds=1)
        after = cutoff + timedelta(seconds=1)
        assert await store.is_revoked("j", None, "user-1", before)
        assert not await store.is_revoked("j", None, "user-1", after)
        assert not await store.is_revoked("j", None, "user-2", before)

    async def test_user_cutoff_is_exact_within_the_second(self, store: RevocationStore) -> None:
        """Issue #13 finding 4: the same second as the cut-off used to survive it."""
        cutoff = datetime(2026, 5, 1, 12, 0, 0, 500_000, tzinfo=UTC)
        await store.revoke_user_before("user-1", cutoff, now() + HOUR)
        one_us = timedelta(microseconds=1)
        assert await store.is_revoked("j", None, "user-1", cutoff.replace(microsecond=0))
        assert await store.is_revoked("j", None, "user-1", cutoff - one_us)
        assert not await store.is_revoked("j", None, "user-1", cutoff)  # auth's fresh token
        assert not await store.is_revoked("j", None, "user-1", cutoff + one_us)

    async def test_user_cutoff_only_moves_forward(self, store: RevocationStore) -> None:
        late = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
        await store.revoke_user_before("user-1", late, now() + HOUR)
        await store.revoke_user_before("user-1", late - HOUR, now() + HOUR)
        assert await store.is_revoked("j", None, "user-1", late - timedelta(minutes=1))

    async def test_user_revocation_expires(self, store: RevocationStore) -> None:
        await store.revoke_user_before("user-1", now(), now() + timedelta(milliseconds=300))
        assert await store.is_revoked("j", None, "user-1", now() - HOUR)
        async with asyncio.timeout(10):  # the entry lapses after 300 ms: polled with a deadline
            while await store.is_revoked("j", None, "user-1", now() - HOUR):
                await asyncio.sleep(0.05)

    async def test_naive_datetimes_are_refused(self, store: RevocationStore) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            await store.revoke_token("jti-1", datetime(2030, 1, 1))
        with pytest.raises(ValueError, match="jti"):
            await store.revoke_token("", now() + HOUR)

    async def test_apply_revocation_event(self, store: RevocationStore) -> None:
        registry = EventRegistry()
        register_auth_events(registry)
        issued_before = now() - timedelta(minutes=1)
        payload = TokensRevoked(
            user_id="user-1",
            jti="jti-9",
            session_id="sid-9",
            issued_before=issued_before,
            expires_at=now() + HOUR,
            reason="logout",
        )
        envelope = registry.build(payload, event_type=AUTH_TOKENS_REVOKED, producer="auth")
        assert envelope.key == "user-1"
        wire = EventEnvelope.from_bytes(envelope.to_bytes())
        await apply_revocation_event(store, wire)
        await apply_revocation_event(store, wire)  # redelivery is harmless
        assert await store.is_revoked("jti-9", None, "user-2", now())
        assert await store.is_revoked("other", "sid-9", "user-2", now())
        assert await store.is_revoked("other", None, "user-1", issued_before - HOUR)
        assert not await store.is_revoked("other", None, "user-1", now())


class TestMemoryRevocationStore(RevocationStoreContract):
    @pytest.fixture
    async def store(self) -> AsyncIterator[RevocationStore]:
        store = MemoryRevocationStore()
        yield store
        await store.aclose()


class TestRedisRevocationStore(RevocationStoreContract):
    @pytest.fixture
    async def store(self, redis_url: str) -> AsyncIterator[RevocationStore]:
        store = RedisRevocationStore(redis_url, key_prefix=f"test:revoked:{uuid.uuid4().hex}")
        yield store
        await store.aclose()


async def test_redis_keys_carry_the_ttl_and_lookup_is_one_round_trip(redis_url: str) -> None:
    client: Redis[bytes] = Redis.from_url(redis_url)
    prefix = f"test:revoked:{uuid.uuid4().hex}"
    store = RedisRevocationStore(client, key_prefix=prefix)
    try:
        await store.revoke_token("jti-1", now() + timedelta(seconds=90))
        await store.revoke_user_before("user-1", now(), now() + timedelta(seconds=900))
        assert 80_000 < await client.pttl(f"{prefix}:jti:jti-1") <= 91_000
        assert 890_000 < await client.pttl(f"{prefix}:user-us:user-1") <= 901_000
        calls: list[Any] = []
        original: Any = client.execute_command

        async def counting(*args: Any, **kwargs: Any) -> Any:
            calls.append(args[0])
            return await original(*args, **kwargs)

        client.execute_command = counting  # type: ignore[method-assign]
        assert await store.is_revoked("jti-1", "sid-1", "user-1", now())
        assert calls == ["MGET"]
    finally:
        await store.aclose()  # the caller owns the client: still usable afterwards
        assert await client.ping()
        await client.aclose()  # type: ignore[attr-defined]


async def test_redis_still_honours_a_whole_second_cutoff_of_an_older_gateway(
    redis_url: str,
) -> None:
    """During a rolling upgrade an older gateway writes ``user:<id>`` in whole seconds."""
    client: Redis[bytes] = Redis.from_url(redis_url)
    prefix = f"test:revoked:{uuid.uuid4().hex}"
    store = RedisRevocationStore(client, key_prefix=prefix)
    try:
        cutoff = datetime(2026, 5, 1, 12, 0, 1, tzinfo=UTC)
        await client.set(f"{prefix}:user:user-1", int(cutoff.timestamp()), ex=60)
        assert await store.is_revoked("j", None, "user-1", cutoff - timedelta(microseconds=1))
        assert not await store.is_revoked("j", None, "user-1", cutoff)
    finally:
        await store.aclose()
        await client.aclose()  # type: ignore[attr-defined]


async def test_memory_store_prunes_expired_entries() -> None:
    clock = {"now": datetime(2026, 1, 1, tzinfo=UTC)}
    store = MemoryRevocationStore(clock=lambda: clock["now"])
    for i in range(300):
        await store.revoke_token(f"jti-{i}", clock["now"] + timedelta(seconds=10))
    clock["now"] += timedelta(minutes=1)
    for i in range(256):
        await store.revoke_session(f"sid-{i}", clock["now"] + timedelta(seconds=10))
    assert len(store._tokens) == 0


async def test_invalid_events_are_schema_errors() -> None:
    store = MemoryRevocationStore()
    wrong_type = EventEnvelope(type="user.registered", producer="auth", key="u", payload={})
    with pytest.raises(EventSchemaError):
        await apply_revocation_event(store, wrong_type)
    empty = EventEnvelope(
        type=AUTH_TOKENS_REVOKED,
        producer="auth",
        key="u",
        payload={"user_id": "u", "expires_at": "2030-01-01T00:00:00.000Z"},
    )
    with pytest.raises(EventSchemaError) as caught:
        await apply_revocation_event(store, empty)
    assert caught.value.code == "INVALID_EVENT_PAYLOAD"


def test_revocation_event_schema() -> None:
    with pytest.raises(ValidationError):
        TokensRevoked(user_id="u", expires_at=now())  # revokes nothing
    with pytest.raises(ValidationError):
        TokensRevoked(user_id="u", jti="j", expires_at=datetime(2030, 1, 1))
    registry = EventRegistry()
    register_auth_events(registry)
    assert registry.get(AUTH_TOKENS_REVOKED).key_field == "user_id"
