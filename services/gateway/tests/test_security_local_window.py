"""LocalMovingWindow.hit_and_stats is hit() then get_window_stats(), at one instant."""

from __future__ import annotations

import random

from limits import parse

from burency_gateway.security.local_window import _SWEEP_EVERY, LocalMovingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_hit_and_stats_matches_hit_then_stats() -> None:
    rng = random.Random(7)
    items = [parse("5/second"), parse("20/minute")]
    clock_a, clock_b = Clock(), Clock()
    one, two = LocalMovingWindow(clock_a), LocalMovingWindow(clock_b)
    for _ in range(3_000):
        step = rng.choice([0.0, 0.01, 0.2, 1.5])
        clock_a.now += step
        clock_b.now += step
        item = rng.choice(items)
        who = rng.choice(["ip-1", "ip-2", "user-9"])
        expected = (await one.hit(item, "c", who), await one.get_window_stats(item, "c", who))
        assert two.hit_and_stats(item, "c", who) == expected


async def test_keys_survive_a_sweep() -> None:
    clock = Clock()
    window = LocalMovingWindow(clock)
    item = parse(f"{_SWEEP_EVERY * 2}/hour")
    for _ in range(_SWEEP_EVERY + 5):  # one sweep on the way
        allowed, _ = window.hit_and_stats(item, "c", "ip")
        assert allowed
    _, stats = window.hit_and_stats(item, "c", "ip")
    assert stats.remaining == _SWEEP_EVERY * 2 - _SWEEP_EVERY - 6
