"""The in-process limiter's own path answers exactly like the generic (storage) path.

``RateLimiter.check`` on ``memory://`` counts through ``LocalMovingWindow.hit_key`` with
window keys made once per class and client; any other storage goes through ``hit`` and
``get_window_stats`` of each window. Driven by the same random requests on the same
clock, both must count, refuse and answer (status, headers, ``Retry-After``) alike.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from limits import RateLimitItem
from limits.util import WindowStats

from burency_common.errors import RateLimited
from burency_common.web.raw_headers import encode_headers
from burency_gateway.security import RateLimiter, RateLimitStatus
from burency_gateway.security import ratelimit as ratelimit_module
from burency_gateway.security.local_window import LocalMovingWindow

RULES = {
    "default": ["5/minute"],
    "login": ["3/minute", "4/hour"],
    "orders": ["2/second", "7/10 second"],
}


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.25

    def __call__(self) -> float:
        return self.now


class Generic:
    """A window store ``RateLimiter`` does not recognise as in-process: its generic path."""

    def __init__(self, window: LocalMovingWindow) -> None:
        self._window = window

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        return await self._window.hit(item, *identifiers, cost=cost)

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        return await self._window.get_window_stats(item, *identifiers)


async def _answer(limiter: RateLimiter, rate_class: str, ip: str, user: str | None) -> object:
    try:
        status = await limiter.check(rate_class, ip=ip, user_id=user)
    except RateLimited as exc:
        return ("429", exc.detail, exc.headers)
    return (status, status.headers())


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
async def test_local_path_answers_like_the_generic_path(seed: int) -> None:
    rng = random.Random(seed)
    clock = Clock()
    local = RateLimiter("memory://", RULES)
    generic = RateLimiter("memory://", RULES)
    local._strategy = LocalMovingWindow(clock)
    generic._strategy = Generic(LocalMovingWindow(clock))  # type: ignore[assignment]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ratelimit_module, "time", SimpleNamespace(time=clock))
        for _ in range(120):
            clock.now += rng.choice([0.0, 0.0, 0.05, 0.3, 1.0, 7.5])
            request = (
                rng.choice(["orders", "login", "default", "unknown-class"]),
                rng.choice(["203.0.113.9", "203.0.113.10", "2001:db8::1", "2001:db8::2"]),
                rng.choice([None, "user-1", "user-2"]),
            )
            assert await _answer(local, *request) == await _answer(generic, *request)


def test_raw_headers_are_the_headers_encoded() -> None:
    for remaining in (-3, 0, 7):
        for reset in (1_700_000_000.0, 1_700_000_000.0000004, 1_700_000_000.7):
            status = RateLimitStatus(10, remaining, datetime.fromtimestamp(reset, UTC))
            assert status.raw_headers() == encode_headers(status.headers().items())
            assert int(status.raw_headers()[2][1]) == math.ceil(status.reset_at.timestamp())
    unenforced = RateLimitStatus(0, 0, datetime.now(UTC), enforced=False)
    assert unenforced.raw_headers() == encode_headers(unenforced.headers().items()) == ()
