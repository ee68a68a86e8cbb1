"""Instances dying under traffic: ejection, re-admission, and the retry rule."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from burency_testing.proxy_rig.proxy_gateway import in_process_gateway
from burency_testing.proxy_rig.servers import Server, stop_all, until, upstreams


@pytest.fixture
def trio() -> Iterator[list[Server]]:
    servers = upstreams(3, prefix="f")
    yield servers
    stop_all(servers)


async def test_killed_instance_fails_no_get_is_ejected_then_readmitted(trio: list[Server]) -> None:
    victim = trio[1]
    statuses: Counter[int] = Counter()
    served: Counter[str] = Counter()
    stop = asyncio.Event()
    async with in_process_gateway({"svc": [s.url for s in trio]}, health_interval=0.2) as (
        client,
        upstreams_,
    ):
        pool = upstreams_.get("svc")
        assert pool is not None
        target = pool.instances[1]

        async def worker() -> None:
            while not stop.is_set():
                response = await client.get("/api/svc/whoami")
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    served[response.json()["instance"]] += 1

        def total() -> int:
            return sum(statuses.values())

        workers = [asyncio.create_task(worker()) for _ in range(4)]
        try:
            await until(lambda: served["f1"] >= 5, deadline_s=10, what="traffic on every instance")
            victim.kill()
            await until(lambda: target.ejected, deadline_s=5, what="the killed instance is ejected")
            mark = total()
            await until(
                lambda: total() >= mark + 100, deadline_s=10, what="traffic while it is down"
            )
            victim.start()
            await victim.wait_ready_async()
            await until(lambda: not target.ejected, deadline_s=5, what="health check re-admits it")
            before = served["f1"]
            await until(lambda: served["f1"] > before, deadline_s=5, what="it serves again")
        finally:
            stop.set()
            await asyncio.gather(*workers)
        assert all(i.in_flight == 0 for i in pool.instances)
    assert set(statuses) == {200}, statuses


@pytest.mark.parametrize(
    ("method", "body", "expected_calls"),
    [
        ("POST", None, 1),  # not idempotent: the upstream may have acted, never repeated
        ("PUT", b"payload", 1),  # idempotent, but the streamed body is gone: not repeated
        ("GET", None, 2),  # idempotent and bodiless: repeated on the other instance
    ],
)
async def test_retry_rule_when_the_upstream_dies_after_receiving(
    tmp_path: Path, method: str, body: bytes | None, expected_calls: int
) -> None:
    calls = tmp_path / "calls.txt"
    servers = upstreams(2, env={"UPSTREAM_CALLS_FILE": str(calls)}, prefix="d")
    try:
        async with in_process_gateway({"orders": [s.url for s in servers]}) as (client, _):
            response = await client.request(method, "/api/orders/die", content=body)
    finally:
        stop_all(servers)
    assert response.status_code == 502
    problem = response.json()
    assert problem["code"] == "UPSTREAM_FAILED"
    assert "orders" in problem["detail"]
    assert len(calls.read_text().splitlines()) == expected_calls
