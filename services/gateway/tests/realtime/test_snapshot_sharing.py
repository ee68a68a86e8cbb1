"""One snapshot fetch serves a burst of subscribers, never one who joined after it began."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from burency_gateway.realtime_snapshots import DepthSnapshots, SnapshotUnavailable


class Upstream:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self.release = asyncio.Event()
        self.version = 0

    async def fetch(self, symbol: str, limit: int) -> dict[str, Any]:
        self.calls.append((symbol, limit))
        self.version += 1
        version = self.version
        await self.release.wait()
        return {"lastUpdateId": version, "bids": [], "asks": []}


async def test_subscribers_that_joined_before_a_fetch_began_share_it() -> None:
    upstream = Upstream()
    snapshots = DepthSnapshots(upstream.fetch, limit=50)
    early = [snapshots.ticket() for _ in range(3)]
    first = asyncio.ensure_future(snapshots.get("BTCAED", early[0]))
    await asyncio.sleep(0)
    shared = [asyncio.ensure_future(snapshots.get("BTCAED", t)) for t in early[1:]]
    late_ticket = snapshots.ticket()  # joined after the fetch began: needs its own
    late = asyncio.ensure_future(snapshots.get("BTCAED", late_ticket))
    await asyncio.sleep(0)
    upstream.release.set()
    results = await asyncio.gather(first, *shared, late)
    assert [r["lastUpdateId"] for r in results] == [1, 1, 1, 2]
    assert upstream.calls == [("BTCAED", 50), ("BTCAED", 50)]


async def test_a_failed_fetch_fails_its_waiters_and_the_next_one_retries() -> None:
    calls = 0

    async def flaky(symbol: str, limit: int) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise SnapshotUnavailable("SNAPSHOT_UNAVAILABLE", "down")
        return {"lastUpdateId": 7, "bids": [], "asks": []}

    snapshots = DepthSnapshots(flaky)
    with pytest.raises(SnapshotUnavailable):
        await snapshots.get("BTCAED", snapshots.ticket())
    assert (await snapshots.get("BTCAED", snapshots.ticket()))["lastUpdateId"] == 7
