"""Per-client rate limits with the ``limits`` library (moving window, async).

Keying - both apply. Every request counts against its client IP; an authenticated
request *also* counts against its user id, each under the same rules of its route's
rate class. The IP key stops one address from cycling through many accounts (or
hammering anonymous endpoints like login); the user key stops one account (a leaked
token, a runaway bot) from spreading across many addresses. IPv6 clients are keyed
by their /64 network, since a single subscriber usually owns a whole /64 and could
otherwise mint a fresh address per request.

A class with several windows (``login``: 5/minute and 20/hour) must satisfy all of
them. All windows are hit concurrently, so a refused request still counts against
the windows it fitted into: hammering past the short window keeps filling the long
one, which is what brute-force protection wants.

Storage: ``memory://`` for embedded mode, ``redis://``/``rediss://`` for several
gateway processes sharing one budget. If the storage fails, requests are refused
with 503 (``fail_open=False``, the default) or let through unlimited
(``fail_open=True``; the returned status then has ``enforced=False``).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.util import WindowStats
from redis.asyncio import ConnectionPool
from redis.exceptions import RedisError

from burency_common.errors import ConfigurationError, RateLimited, ServiceUnavailable
from burency_common.logging import get_logger
from burency_gateway.security.local_window import LocalMovingWindow

__all__ = [
    "DEFAULT_RATE_RULES",
    "RateLimitStatus",
    "RateLimiter",
    "client_key",
    "parse_rate_rules",
]

DEFAULT_RATE_RULES: Mapping[str, tuple[str, ...]] = {
    "default": ("300/minute",),
    "login": ("5/minute", "20/hour"),
    "token_refresh": ("60/minute",),
    "email_verification": ("10/minute", "50/hour"),
    "register": ("5/hour",),
    "password_reset": ("5/hour",),
    "orders": ("50/10 second",),
    "admin": ("120/minute",),
}
"""Production defaults; override per deployment with :func:`parse_rate_rules`."""

_log = get_logger("burency.gateway.ratelimit")
_LOCAL_KEYS_SIZE = 16_384  # (class, ip, user) whose window keys are remembered
_Windows = tuple[tuple[RateLimitItem, str], ...]
_CLASS_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
_ENTRY_START = re.compile(r"(?:^|[\s,;|]+)([A-Za-z_][\w.-]*)\s*=")


@dataclass(frozen=True)
class RateLimitStatus:
    """The tightest window after this request: what goes into ``X-RateLimit-*`` headers."""

    limit: int
    remaining: int
    reset_at: datetime
    enforced: bool = True

    def headers(self) -> dict[str, str]:
        """``X-RateLimit-Limit/Remaining/Reset`` (reset in epoch seconds); empty if unenforced."""
        if not self.enforced:
            return {}
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.remaining)),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at.timestamp())),
        }

    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """:meth:`headers` as ASGI's lower-case byte pairs (what every answer carries)."""
        if not self.enforced:
            return ()
        return (
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(max(0, self.remaining)).encode()),
            (b"x-ratelimit-reset", str(math.ceil(self.reset_at.timestamp())).encode()),
        )


def parse_rate_rules(spec: str | Mapping[str, str | Sequence[str]]) -> dict[str, list[str]]:
    """Parse and validate rules from settings; raise ``ConfigurationError`` listing problems.

    The string form is ``class=limit[;limit...]`` entries separated by whitespace,
    ``,`` or newlines, e.g. ``"default=300/minute login=5/minute;20/hour
    orders=50/10 second"``. A mapping may hold strings in that limit syntax or lists.
    """
    raw: dict[str, str] = {}
    problems: list[str] = []
    if isinstance(spec, str):
        parts = _ENTRY_START.split(spec.strip())
        if parts[0].strip():
            problems.append(f"rate rules must start with 'class=': {parts[0].strip()[:40]!r}")
        for name, limits_text in zip(parts[1::2], parts[2::2], strict=True):
            raw[name] = limits_text.strip().strip(",;|").strip()
    else:
        for name, value in spec.items():
            raw[name] = value if isinstance(value, str) else ";".join(value)
    rules: dict[str, list[str]] = {}
    for name, text in raw.items():
        if not _CLASS_NAME.match(name):
            problems.append(f"invalid rate class name {name!r}")
            continue
        try:
            rules[name] = [str(item) for item in parse_many(text)]
        except ValueError:
            problems.append(f"rate class {name!r}: invalid limits {text[:60]!r}")
    if problems:
        raise ConfigurationError("; ".join(problems))
    return rules


@functools.lru_cache(maxsize=4096)
def client_key(ip: str | None) -> str:
    """The rate-limit bucket of a client address: IPv4 as is, IPv6 by its /64 network.

    Remembered for the last 4,096 addresses: parsing one costs more than the rest of
    the limiter's work."""
    if not ip:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "raw:" + quote(ip.strip()[:100], safe="")
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _storage_for(
    uri: str, key_prefix: str, socket_timeout: float
) -> tuple[Storage, ConnectionPool[Any] | None]:
    """Build the ``limits`` Redis storage (and the pool we own, to close it later)."""
    if uri.startswith(("redis://", "rediss://")):
        pool: ConnectionPool[Any] = ConnectionPool.from_url(
            uri, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout
        )
        options: dict[str, Any] = {"connection_pool": pool}
        storage = RedisStorage(
            "async+" + uri,
            implementation="redispy",
            key_prefix=key_prefix,
            wrap_exceptions=True,
            **options,
        )
        return storage, pool
    raise ConfigurationError("rate limit storage must be memory:// or redis(s)://")


class RateLimiter:
    """Moving-window limits per rate class, keyed per IP and per user (see module docs).

    ``rules`` maps a rate class to limit strings (``{"login": ["5/minute", "20/hour"]}``)
    and must contain ``default``, which also serves rate classes it does not list.
    """

    def __init__(
        self,
        storage_uri: str,
        rules: Mapping[str, Sequence[str]] = DEFAULT_RATE_RULES,
        *,
        key_prefix: str = "burency:ratelimit",
        fail_open: bool = False,
        socket_timeout: float = 1.0,
    ) -> None:
        parsed = parse_rate_rules(rules)
        if "default" not in parsed:
            raise ConfigurationError("rate rules must define the 'default' class")
        self._rules: dict[str, list[RateLimitItem]] = {
            name: parse_many(";".join(limits)) for name, limits in parsed.items()
        }
        self._storage: Storage | None = None
        self._pool: ConnectionPool[Any] | None = None
        self._strategy: MovingWindowRateLimiter | LocalMovingWindow
        if storage_uri == "memory://":
            self._strategy = LocalMovingWindow()
        else:
            self._storage, self._pool = _storage_for(storage_uri, key_prefix, socket_timeout)
            self._strategy = MovingWindowRateLimiter(self._storage)
        self._prefix = key_prefix
        self._fail_open = fail_open
        self._local_keys: dict[tuple[str, str | None, str | None], _Windows] = {}

    def _subjects(self, rate_class: str, ip: str | None, user_id: str | None) -> list[list[str]]:
        subjects = [[self._prefix, rate_class, "ip", client_key(ip)]]
        if user_id:
            subjects.append([self._prefix, rate_class, "user", quote(user_id, safe="")])
        return subjects

    async def check(
        self, rate_class: str, *, ip: str | None, user_id: str | None = None
    ) -> RateLimitStatus:
        """Count this request; return the tightest window or raise ``RateLimited`` (429).

        The 429 carries ``Retry-After`` (seconds until every refusing window has room)
        and ``X-RateLimit-*`` headers. Unknown rate classes use ``default``.
        """
        if isinstance(self._strategy, LocalMovingWindow):
            return self._check_local(self._strategy, rate_class, ip, user_id)
        items = self._rules.get(rate_class) or self._rules["default"]
        if rate_class not in self._rules:
            rate_class = "default"
        pairs = [(item, ids) for ids in self._subjects(rate_class, ip, user_id) for item in items]
        try:
            allowed = await asyncio.gather(*(self._strategy.hit(i, *ids) for i, ids in pairs))
            stats = await asyncio.gather(
                *(self._strategy.get_window_stats(i, *ids) for i, ids in pairs)
            )
        except (StorageError, RedisError, OSError):
            return self._storage_failed()
        refused = [
            (item, s) for (item, _), s, ok in zip(pairs, stats, allowed, strict=True) if not ok
        ]
        if refused:
            raise _too_many(refused)
        return _tightest([(item, s) for (item, _), s in zip(pairs, stats, strict=True)])

    def _windows(self, rate_class: str, ip: str | None, user_id: str | None) -> _Windows:
        """The request's windows, ``(item, key)`` in :meth:`check`'s order (its IP's under
        each limit of the class, then its user's), made once per class and client."""
        found = self._local_keys.get((rate_class, ip, user_id))
        if found is not None:
            return found
        items = self._rules.get(rate_class) or self._rules["default"]
        name = rate_class if rate_class in self._rules else "default"
        windows = tuple(
            (item, item.key_for(*ids))
            for ids in self._subjects(name, ip, user_id)
            for item in items
        )
        if len(self._local_keys) >= _LOCAL_KEYS_SIZE:
            self._local_keys.clear()
        self._local_keys[(rate_class, ip, user_id)] = windows
        return windows

    def _check_local(
        self, strategy: LocalMovingWindow, rate_class: str, ip: str | None, user_id: str | None
    ) -> RateLimitStatus:
        """:meth:`check` in process (embedded mode): the same windows, counts and answer,
        without an await, an intermediate list or a :class:`WindowStats` per window."""
        now = strategy.now()
        tightest: tuple[RateLimitItem, float, int] | None = None
        refused: tuple[RateLimitItem, float, int] | None = None
        for item, key in self._windows(rate_class, ip, user_id):
            allowed, reset, remaining = strategy.hit_key(key, item.amount, item.get_expiry(), now)
            if not allowed and (refused is None or reset > refused[1]):
                refused = (item, reset, remaining)  # the one that frees up last
            if (
                tightest is None
                or remaining < tightest[2]
                or (remaining == tightest[2] and reset > tightest[1])
            ):
                tightest = (item, reset, remaining)
        if refused is not None:
            raise _too_many([(refused[0], WindowStats(refused[1], refused[2]))])
        assert tightest is not None  # every class has at least one limit
        item, reset, remaining = tightest
        return RateLimitStatus(
            limit=item.amount,
            remaining=max(0, remaining),
            reset_at=datetime.fromtimestamp(reset, UTC),
        )

    def _storage_failed(self) -> RateLimitStatus:
        _log.warning("ratelimit.storage_unavailable", fail_open=self._fail_open)
        if not self._fail_open:
            raise ServiceUnavailable(
                "rate limiting is temporarily unavailable",
                code="RATE_LIMIT_UNAVAILABLE",
                headers={"Retry-After": "5"},
            )
        return RateLimitStatus(limit=0, remaining=0, reset_at=datetime.now(UTC), enforced=False)

    async def healthy(self) -> bool:
        """Whether the storage answers (for readiness probes); never raises."""
        return True if self._storage is None else await self._storage.check()

    async def aclose(self) -> None:
        """Release the Redis connection pool (no-op for memory storage)."""
        if self._pool is not None:
            await self._pool.disconnect()


def _status(item: RateLimitItem, stats: WindowStats) -> RateLimitStatus:
    return RateLimitStatus(
        limit=item.amount,
        remaining=max(0, stats.remaining),
        reset_at=datetime.fromtimestamp(stats.reset_time, UTC),
    )


def _tightest(windows: list[tuple[RateLimitItem, WindowStats]]) -> RateLimitStatus:
    item, stats = min(windows, key=lambda w: (w[1].remaining, -w[1].reset_time))
    return _status(item, stats)


def _too_many(refused: list[tuple[RateLimitItem, WindowStats]]) -> RateLimited:
    """The 429 for the refusing window that frees up last (retrying earlier is pointless)."""
    item, stats = max(refused, key=lambda w: w[1].reset_time)
    status = _status(item, stats)
    retry_after = max(1, math.ceil(stats.reset_time - time.time()))
    return RateLimited(
        f"rate limit of {item} exceeded",
        retry_after=retry_after,
        headers={**status.headers(), "X-RateLimit-Remaining": "0"},
    )
