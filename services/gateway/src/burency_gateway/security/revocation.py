"""Revocation of access tokens: by token (``jti``), by session (``sid``), by user and time.

Access JWTs are verified offline, so "log out" only works if every gateway also
consults a revocation list. Entries are short-lived by construction: a revocation is
only needed until the revoked token would have expired anyway, so each entry carries
that deadline (a Redis key TTL, or a pruned dictionary entry in memory).

* :class:`MemoryRevocationStore` - embedded mode (one process).
* :class:`RedisRevocationStore` - distributed mode: every gateway replica shares it;
  :meth:`~RedisRevocationStore.is_revoked` costs one ``MGET`` round trip.

"All tokens of user X issued before T" compares exact instants, in integer
microseconds: the token's issue time comes from its ``iat_us`` claim (auth's clock,
see :data:`burency_common.tokens.PRECISE_IAT_CLAIM`) and ``T`` from the same clock, so
a token issued in the same second as a revocation, but before it, is refused, while
the fresh token auth issues right after a cut-off (``iat_us >= T``) is accepted.
(Until 2026-12 this compared whole seconds, and a role revoked in the same second a
token was issued did not take effect.) Tokens without ``iat_us`` fall back to their
whole-second ``iat``, which is exact at the start of the second and so only errs
towards refusing.

A store that cannot answer raises :class:`RevocationStoreUnavailable` (503): failing
open would let revoked tokens back in whenever Redis blinks.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import ValidationError
from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import RedisError

from burency_common.errors import EventSchemaError, ServiceUnavailable
from burency_common.events.auth import AUTH_TOKENS_REVOKED, TokensRevoked
from burency_common.events.envelope import EventEnvelope
from burency_common.timeutil import utc_now

__all__ = [
    "MemoryRevocationStore",
    "RedisRevocationStore",
    "RevocationStore",
    "RevocationStoreUnavailable",
    "apply_revocation_event",
    "parse_revocation_event",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RevocationStoreUnavailable(ServiceUnavailable):
    default_code = "REVOCATION_UNAVAILABLE"
    title = "Token revocation list unavailable"


class RevocationStore(Protocol):
    """The port the authenticator checks and revocation events feed."""

    async def revoke_token(self, jti: str, expires_at: datetime) -> None:
        """Refuse the token ``jti`` until ``expires_at`` (its own ``exp``)."""

    async def revoke_session(self, sid: str, until: datetime) -> None:
        """Refuse every token carrying ``sid`` until ``until``."""

    async def revoke_user_before(
        self, user_id: str, issued_before: datetime, until: datetime
    ) -> None:
        """Refuse tokens of ``user_id`` issued strictly before ``issued_before`` (exactly)."""

    async def is_revoked(
        self, jti: str, sid: str | None, user_id: str, issued_at: datetime
    ) -> bool:
        """Whether any of the three revocations applies to this token."""

    async def healthy(self) -> bool:
        """Whether the store answers (for readiness probes); never raises."""

    async def aclose(self) -> None:
        """Release connections the store owns."""


def _epoch(value: datetime, name: str) -> float:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.timestamp()


def _micros(value: datetime, name: str) -> int:
    """An aware instant as integer microseconds since the epoch (no float rounding)."""
    _epoch(value, name)
    return (value - _EPOCH) // timedelta(microseconds=1)


def _non_empty(value: str, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value


class MemoryRevocationStore:
    """In-process store for embedded mode; expired entries are pruned as new ones arrive."""

    _PRUNE_EVERY = 256

    def __init__(self, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock
        self._tokens: dict[str, float] = {}  # jti -> keep until (epoch seconds)
        self._sessions: dict[str, float] = {}  # sid -> keep until
        self._users: dict[str, tuple[int, float]] = {}  # user -> (cutoff in µs, keep until)
        self._writes = 0

    def _now(self) -> float:
        return self._clock().timestamp()

    def _remember(self, table: dict[str, float], key: str, until: float) -> None:
        table[key] = max(until, table.get(key, until))
        self._after_write()

    def _after_write(self) -> None:
        self._writes += 1
        if self._writes % self._PRUNE_EVERY == 0:
            self._prune()

    def _prune(self) -> None:
        now = self._now()
        for table in (self._tokens, self._sessions):
            for key in [k for k, until in table.items() if until <= now]:
                del table[key]
        for key in [k for k, (_, until) in self._users.items() if until <= now]:
            del self._users[key]

    async def revoke_token(self, jti: str, expires_at: datetime) -> None:
        until = _epoch(expires_at, "expires_at")
        if until > self._now():
            self._remember(self._tokens, _non_empty(jti, "jti"), until)

    async def revoke_session(self, sid: str, until: datetime) -> None:
        keep = _epoch(until, "until")
        if keep > self._now():
            self._remember(self._sessions, _non_empty(sid, "sid"), keep)

    async def revoke_user_before(
        self, user_id: str, issued_before: datetime, until: datetime
    ) -> None:
        cutoff = _micros(issued_before, "issued_before")
        keep = _epoch(until, "until")
        if keep <= self._now():
            return
        old_cutoff, old_keep = self._users.get(_non_empty(user_id, "user_id"), (cutoff, keep))
        self._users[user_id] = (max(cutoff, old_cutoff), max(keep, old_keep))
        self._after_write()

    def _live(self, table: dict[str, float], key: str | None, now: float) -> bool:
        return key is not None and table.get(key, 0.0) > now

    async def is_revoked(
        self, jti: str, sid: str | None, user_id: str, issued_at: datetime
    ) -> bool:
        now = self._now()
        if self._live(self._tokens, jti, now) or self._live(self._sessions, sid, now):
            return True
        cutoff, keep = self._users.get(user_id, (0, 0.0))
        return keep > now and _micros(issued_at, "issued_at") < cutoff

    async def healthy(self) -> bool:
        return True

    async def aclose(self) -> None:
        return None


# Keep the larger of the stored and the new number, and the later of the two expiries,
# atomically: two revocations racing (or an event redelivered late) must never
# shorten an existing one. KEYS[1] key; ARGV value, expire-at (ms), client now (ms).
_SET_MAX_LUA = """
local value = tonumber(ARGV[1])
local expire_at = tonumber(ARGV[2])
local current = redis.call('GET', KEYS[1])
if current then
  local stored = tonumber(current)
  if stored and stored > value then value = stored end
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 and tonumber(ARGV[3]) + ttl > expire_at then
    expire_at = tonumber(ARGV[3]) + ttl
  end
end
redis.call('SET', KEYS[1], string.format('%d', value), 'PXAT', string.format('%d', expire_at))
return 1
"""


class RedisRevocationStore:
    """Shared store for distributed mode (Redis >= 6.2 for ``SET ... PXAT``).

    Keys: ``<prefix>:jti:<jti>``, ``<prefix>:sid:<sid>`` (value ``1``) and
    ``<prefix>:user-us:<user_id>`` (value: the cutoff, epoch microseconds), each
    expiring when the revocation stops mattering. ``<prefix>:user:<user_id>`` (the
    cutoff in whole seconds, as written before microseconds) is still read, so a
    revocation recorded by an older gateway keeps biting during a rolling upgrade.
    Pass a URL (the store owns the connection pool and closes it in :meth:`aclose`)
    or an existing ``redis.asyncio.Redis`` client (the caller owns it).
    """

    def __init__(
        self,
        redis: str | Redis[bytes],
        *,
        key_prefix: str = "burency:revoked",
        socket_timeout: float = 2.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._pool: ConnectionPool[Any] | None = None
        if isinstance(redis, str):
            self._pool = ConnectionPool.from_url(
                redis, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout
            )
            redis = Redis(connection_pool=self._pool)
        self._redis = redis
        self._prefix = _non_empty(key_prefix, "key_prefix")
        self._clock = clock
        self._set_max = redis.register_script(_SET_MAX_LUA)

    def _key(self, kind: str, ident: str) -> str:
        return f"{self._prefix}:{kind}:{ident}"

    async def _store(self, key: str, value: int, until: datetime) -> None:
        now_ms = math.floor(self._clock().timestamp() * 1000)
        until_ms = math.ceil(_epoch(until, "until") * 1000)
        if until_ms <= now_ms:
            return  # the token is dead already; nothing to remember
        try:
            await self._set_max(keys=[key], args=[value, until_ms, now_ms])
        except RedisError:
            raise RevocationStoreUnavailable() from None

    async def revoke_token(self, jti: str, expires_at: datetime) -> None:
        await self._store(self._key("jti", _non_empty(jti, "jti")), 1, expires_at)

    async def revoke_session(self, sid: str, until: datetime) -> None:
        await self._store(self._key("sid", _non_empty(sid, "sid")), 1, until)

    async def revoke_user_before(
        self, user_id: str, issued_before: datetime, until: datetime
    ) -> None:
        cutoff = _micros(issued_before, "issued_before")
        await self._store(self._key("user-us", _non_empty(user_id, "user_id")), cutoff, until)

    async def is_revoked(
        self, jti: str, sid: str | None, user_id: str, issued_at: datetime
    ) -> bool:
        keys = [
            self._key("jti", jti),
            self._key("user-us", user_id),
            self._key("user", user_id),
        ]
        if sid is not None:
            keys.append(self._key("sid", sid))
        try:
            values = await self._redis.mget(keys)
        except RedisError:
            raise RevocationStoreUnavailable() from None
        token, user_us, user_s, *session = values
        if token is not None or any(v is not None for v in session):
            return True
        issued = _micros(issued_at, "issued_at")
        if user_us is not None and issued < int(user_us):
            return True
        return user_s is not None and issued // 1_000_000 < int(user_s)

    async def healthy(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except RedisError:
            return False

    async def aclose(self) -> None:
        if self._pool is not None:
            client: Any = self._redis  # types-redis lacks ``aclose`` (redis-py >= 5.0.1)
            await client.aclose()
            await self._pool.disconnect()


def parse_revocation_event(envelope: EventEnvelope) -> TokensRevoked:
    """The payload of an ``auth.tokens.revoked`` v1 envelope, or ``EventSchemaError``.

    A malformed payload raises ``EventSchemaError`` so the bus dead-letters it
    instead of retrying forever.
    """
    if envelope.type != AUTH_TOKENS_REVOKED or envelope.version != 1:
        raise EventSchemaError(
            f"expected {AUTH_TOKENS_REVOKED} v1, got {envelope.type} v{envelope.version}",
            code="UNEXPECTED_EVENT_TYPE",
        )
    try:
        event = TokensRevoked.model_validate(envelope.payload)
    except ValidationError as exc:
        raise EventSchemaError(
            f"{AUTH_TOKENS_REVOKED} payload invalid: {exc.error_count()} error(s)",
            code="INVALID_EVENT_PAYLOAD",
        ) from None
    return event


async def apply_revocation_event(
    store: RevocationStore, envelope: EventEnvelope | TokensRevoked
) -> None:
    """Bus handler for ``auth.tokens.revoked``: record every revocation the event names.

    Idempotent (re-applying keeps the larger cutoff and the later expiry), so
    at-least-once delivery is fine. Takes the envelope, or its already parsed payload.
    """
    event = envelope if isinstance(envelope, TokensRevoked) else parse_revocation_event(envelope)
    writes = []
    if event.jti is not None:
        writes.append(store.revoke_token(event.jti, event.expires_at))
    if event.session_id is not None:
        writes.append(store.revoke_session(event.session_id, event.expires_at))
    if event.issued_before is not None:
        writes.append(
            store.revoke_user_before(event.user_id, event.issued_before, event.expires_at)
        )
    await asyncio.gather(*writes)
