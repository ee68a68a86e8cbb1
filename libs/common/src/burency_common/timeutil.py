"""UTC-only time helpers and an injectable clock.

Burency stores and transmits instants in UTC only. The wire format is exactly
``YYYY-MM-DDTHH:MM:SS.mmmZ`` (millisecond precision, always three fraction digits,
``Z`` suffix). Naive datetimes are refused everywhere: guessing their zone is how
off-by-hours bugs get in.

Code that needs "now" should take a :class:`Clock` so tests can use a
:class:`ManualClock` instead of sleeping or patching.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = [
    "EPOCH",
    "Clock",
    "FixedClock",
    "ManualClock",
    "SystemClock",
    "from_epoch_ms",
    "parse_iso",
    "to_epoch_ms",
    "to_iso_ms",
    "utc_now",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def _require_aware(dt: datetime) -> datetime:
    if not isinstance(dt, datetime):
        raise TypeError(f"expected a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime: a timezone is required")
    return dt


def to_iso_ms(dt: datetime) -> str:
    """Format as ``2026-11-26T12:00:00.000Z`` (converted to UTC, sub-millisecond
    digits truncated, not rounded, so the result never lies in the future)."""
    u = _require_aware(dt).astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:"
        f"{u.second:02d}.{u.microsecond // 1000:03d}Z"
    )


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp that carries a zone (``Z`` or ``+hh:mm``) into an
    aware UTC datetime. Text without a zone raises ``ValueError``."""
    if not isinstance(text, str):
        raise TypeError(f"expected a str, got {type(text).__name__}")
    if not text.isascii():
        raise ValueError(f"invalid ISO 8601 timestamp: {text!r}")
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"timestamp has no timezone: {text!r}")
    return dt.astimezone(UTC)


def to_epoch_ms(dt: datetime) -> int:
    """Milliseconds since the Unix epoch (floored), computed without floats."""
    return (_require_aware(dt) - EPOCH) // _ONE_MS


def from_epoch_ms(ms: int) -> datetime:
    """The aware UTC datetime ``ms`` milliseconds after the Unix epoch."""
    if not isinstance(ms, int) or isinstance(ms, bool):
        raise TypeError(f"expected an int, got {type(ms).__name__}")
    return EPOCH + timedelta(milliseconds=ms)


@runtime_checkable
class Clock(Protocol):
    """Anything that can tell the current aware UTC time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return utc_now()


class FixedClock:
    """A clock stuck at one instant."""

    def __init__(self, at: datetime) -> None:
        self._at = _require_aware(at).astimezone(UTC)

    def now(self) -> datetime:
        return self._at


class ManualClock:
    """A clock that only moves when told to (``advance``/``set``); thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = _require_aware(start).astimezone(UTC) if start else EPOCH
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | float = 0.0, /, **kwargs: float) -> datetime:
        """Move forward by a ``timedelta``, a number of seconds, or ``timedelta``
        keyword arguments (``advance(minutes=5)``); returns the new time."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        step += timedelta(**kwargs)
        if step < timedelta(0):
            raise ValueError("a ManualClock does not go backwards; use set()")
        with self._lock:
            self._now += step
            return self._now

    def set(self, at: datetime) -> None:
        """Jump to ``at`` (may go backwards, to test clock-skew handling)."""
        moved = _require_aware(at).astimezone(UTC)
        with self._lock:
            self._now = moved
