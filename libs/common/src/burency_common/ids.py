"""Time-ordered identifiers: UUIDv7 (RFC 9562), implemented here with no extra package.

Layout (big-endian, 128 bits)::

    unix_ts_ms (48) | ver=0b0111 (4) | rand_a (12) | var=0b10 (2) | rand_b (62)

Monotonicity follows RFC 9562 section 6.2, method 2 ("monotonic random"): the 74
bits of ``rand_a`` and ``rand_b`` are treated as one counter. A new millisecond
starts the counter at a random value with its top bit clear, leaving at least 2**73
increments of headroom; within the same millisecond (or if the wall clock steps
backwards) the previous timestamp is reused and the counter is incremented by a
random step, so ids from one process are strictly increasing while remaining hard to
guess. Should the counter ever overflow, the timestamp is advanced by one ms.

The random bits come from ``os.urandom`` (the source of :mod:`secrets`), read 4 KiB at
a time: ``secrets.randbits`` made a system call per draw, and an id is drawn for every
request (its request id), which made ids a visible share of a request's cost.
"""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["UUID7Generator", "canonical_uuid", "is_uuid7", "new_id", "uuid7", "uuid7_time"]

_COUNTER_BITS = 74
_COUNTER_MAX = (1 << _COUNTER_BITS) - 1
_TS_MAX = (1 << 48) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UUID7_RE = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.IGNORECASE
)


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


_POOL_BYTES = 4096


class UUID7Generator:
    """Thread-safe UUIDv7 source; ``clock_ms`` is injectable for tests."""

    def __init__(self, clock_ms: Callable[[], int] = _wall_clock_ms) -> None:
        self._clock_ms = clock_ms
        self._lock = threading.Lock()
        self._last_ms = -1
        self._counter = 0
        self._pool = b""  # unused os.urandom bytes, from _taken on
        self._taken = 0

    def reset(self) -> None:
        """Forget the last id and the unused random bytes (used in a forked child, so it
        never repeats the parent's ids or draws the parent's random bits)."""
        with self._lock:
            self._last_ms = -1
            self._counter = 0
            self._pool = b""
            self._taken = 0

    def _random_bits(self, bits: int) -> int:
        """``bits`` random bits (a multiple of 8 plus up to 7) from the pool; lock held."""
        size = (bits + 7) // 8
        if self._taken + size > len(self._pool):
            self._pool, self._taken = os.urandom(_POOL_BYTES), 0
        chunk = self._pool[self._taken : self._taken + size]
        self._taken += size
        return int.from_bytes(chunk, "big") >> (size * 8 - bits)

    def next_int(self) -> int:
        """The next UUIDv7 as a 128-bit integer."""
        with self._lock:
            now_ms = self._clock_ms()
            if now_ms > self._last_ms:
                self._last_ms = now_ms
                self._counter = self._random_bits(_COUNTER_BITS - 1)
            else:
                self._counter += 1 + self._random_bits(16)
                if self._counter > _COUNTER_MAX:
                    self._last_ms += 1
                    self._counter = self._random_bits(_COUNTER_BITS - 1)
            ts_ms, counter = self._last_ms, self._counter
        if not 0 <= ts_ms <= _TS_MAX:
            raise OverflowError(f"timestamp {ts_ms} ms does not fit UUIDv7's 48 bits")
        rand_a, rand_b = counter >> 62, counter & ((1 << 62) - 1)
        return (ts_ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b

    def __call__(self) -> uuid.UUID:
        return uuid.UUID(int=self.next_int())


def canonical_uuid(value: int) -> str:
    """A 128-bit integer in a UUID's canonical lowercase form (``str(uuid.UUID(int=v))``
    without building the object)."""
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_default_generator = UUID7Generator()
if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(after_in_child=_default_generator.reset)


def uuid7() -> uuid.UUID:
    """A new UUIDv7, strictly greater than every earlier one from this process."""
    return _default_generator()


def new_id() -> str:
    """A new UUIDv7 in canonical lowercase string form, the default entity id."""
    return canonical_uuid(_default_generator.next_int())


def uuid7_time(value: uuid.UUID | str) -> datetime:
    """The aware UTC creation time (millisecond precision) embedded in a UUIDv7."""
    u = value if isinstance(value, uuid.UUID) else uuid.UUID(value)
    if u.version != 7 or u.variant != uuid.RFC_4122:
        raise ValueError(f"not a UUIDv7: {u}")
    return _EPOCH + timedelta(milliseconds=u.int >> 80)


def is_uuid7(value: object) -> bool:
    """True for a UUIDv7 given as a ``UUID`` or as a canonical 36-character string
    (either case); braces, ``urn:uuid:`` and un-hyphenated forms are refused."""
    if isinstance(value, uuid.UUID):
        return value.version == 7 and value.variant == uuid.RFC_4122
    return isinstance(value, str) and _UUID7_RE.fullmatch(value) is not None
