"""An in-process moving-window limiter for embedded mode (one gateway process).

``limits``' async memory storage expires entries through a worker thread scheduled
on every hit, which cost ~250 µs per request here; a deque of hit times per key does
the same job in a few microseconds. It has the two methods ``RateLimiter`` uses of
``limits.aio.strategies.MovingWindowRateLimiter`` and the same semantics, and
:meth:`LocalMovingWindow.hit_and_stats`, both at once (one key, one prune, no await),
which the order path uses. Keys (``RateLimitItem.key_for``, a string join) are
remembered per item and identifiers until the next sweep of idle keys.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from limits import RateLimitItem
from limits.util import WindowStats

__all__ = ["LocalMovingWindow"]

_SWEEP_EVERY = 10_000  # hits between sweeps of idle keys (bounds memory)


class LocalMovingWindow:
    """Per key, the times of the hits still inside the window (at most ``limit`` of them)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._expiry: dict[str, int] = {}
        self._until_sweep = _SWEEP_EVERY
        self._keys: dict[tuple[int, tuple[str, ...]], str] = {}

    def _window(
        self, item: RateLimitItem, identifiers: tuple[str, ...], now: float
    ) -> deque[float]:
        key = self._keys.get((id(item), identifiers))
        if key is None:
            key = self._keys[(id(item), identifiers)] = item.key_for(*identifiers)
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            self._expiry[key] = item.get_expiry()
        cutoff = now - item.get_expiry()
        while hits and hits[0] <= cutoff:
            hits.popleft()
        return hits

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        now = self._clock()
        hits = self._window(item, identifiers, now)
        if len(hits) + cost > item.amount:
            return False
        hits.extend([now] * cost)
        self._until_sweep -= 1
        if self._until_sweep <= 0:
            self._sweep(now)
        return True

    def hit_and_stats(
        self, item: RateLimitItem, *identifiers: str, cost: int = 1
    ) -> tuple[bool, WindowStats]:
        """:meth:`hit`, then :meth:`get_window_stats`, at one instant."""
        now = self._clock()
        hits = self._window(item, identifiers, now)
        allowed = len(hits) + cost <= item.amount
        if allowed:
            hits.extend([now] * cost)
            self._until_sweep -= 1
            if self._until_sweep <= 0:
                self._sweep(now)  # never this key: it was just hit
        reset = hits[0] + item.get_expiry() if hits else now
        return allowed, WindowStats(reset, item.amount - len(hits))

    def now(self) -> float:
        """The clock the windows are kept by."""
        return self._clock()

    def hit_key(self, key: str, amount: int, expiry: int, now: float) -> tuple[bool, float, int]:
        """:meth:`hit_and_stats` of one request (cost 1) at ``now``, for a key the caller
        made once with ``item.key_for(...)`` (``amount``, ``expiry``: the item's), as
        ``(allowed, reset_time, remaining)``: the rate limiter's per-request path, which
        builds no tuple of identifiers and no :class:`WindowStats`."""
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            self._expiry[key] = expiry
        cutoff = now - expiry
        while hits and hits[0] <= cutoff:
            hits.popleft()
        allowed = len(hits) < amount
        if allowed:
            hits.append(now)
            self._until_sweep -= 1
            if self._until_sweep <= 0:
                self._sweep(now)  # never this key: it was just hit
        return allowed, (hits[0] + expiry if hits else now), amount - len(hits)

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        now = self._clock()
        hits = self._window(item, identifiers, now)
        reset = hits[0] + item.get_expiry() if hits else now
        return WindowStats(reset, item.amount - len(hits))

    def _sweep(self, now: float) -> None:
        self._until_sweep = _SWEEP_EVERY
        self._keys.clear()
        idle = [
            k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self._expiry[k]
        ]
        for key in idle:
            del self._hits[key]
            del self._expiry[key]
