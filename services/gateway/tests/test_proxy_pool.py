"""Pool mechanics without the network: balancing, passive ejection, active health checks."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from starlette.types import Receive, Scope, Send

from burency_common.errors import ConfigurationError
from burency_gateway.proxy import Instance, UpstreamPool, Upstreams


def _pool(n: int = 3, **options: object) -> UpstreamPool:
    return UpstreamPool(
        "svc", [Instance.http(f"http://10.0.0.{i}:80") for i in range(n)], **options
    )  # type: ignore[arg-type]


def test_round_robin_cycles_over_healthy_instances() -> None:
    pool = _pool()
    picks = Counter(pool.choose().url for _ in range(30))  # type: ignore[union-attr]
    assert sorted(picks.values()) == [10, 10, 10]
    pool.instances[1].ejected = True
    assert {pool.choose().url for _ in range(10)} == {"http://10.0.0.0:80", "http://10.0.0.2:80"}  # type: ignore[union-attr]


def test_choose_excludes_tried_instances_and_returns_none_when_exhausted() -> None:
    pool = _pool(2)
    first = pool.choose()
    assert first is not None
    second = pool.choose([first])
    assert second is not None
    assert second is not first
    assert pool.choose([first, second]) is None


def test_all_ejected_falls_back_to_the_least_recently_failed() -> None:
    pool = _pool(3, eject_after=1)
    for instance in (pool.instances[2], pool.instances[0], pool.instances[1]):
        pool.record_failure(instance)
    assert all(i.ejected for i in pool.instances)
    assert pool.choose() is pool.instances[2]
    assert pool.choose([pool.instances[2]]) is pool.instances[0]


def test_least_in_flight_prefers_the_idlest_and_rotates_ties() -> None:
    pool = _pool(3, policy="least_in_flight")
    pool.instances[0].in_flight = 5
    pool.instances[1].in_flight = 1
    pool.instances[2].in_flight = 3
    assert {pool.choose() for _ in range(6)} == {pool.instances[1]}
    pool.instances[0].in_flight = pool.instances[2].in_flight = 1
    assert {pool.choose() for _ in range(6)} == set(pool.instances)


def test_consecutive_failures_eject_and_any_success_resets() -> None:
    pool = _pool(1, eject_after=3)
    instance = pool.instances[0]
    pool.record_failure(instance)
    pool.record_failure(instance)
    pool.record_success(instance)
    assert instance.consecutive_failures == 0
    for _ in range(3):
        pool.record_failure(instance)
    assert instance.ejected
    assert pool.snapshot()["instances"][0] == {
        "url": "http://10.0.0.0:80",
        "kind": "http",
        "healthy": False,
        "ejected": True,
        "in_flight": 0,
        "consecutive_failures": 3,
    }
    pool.record_success(instance)
    assert not instance.ejected


def test_invalid_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        _pool(policy="random")
    with pytest.raises(ConfigurationError):
        _pool(eject_after=0)


class Switchable:
    """An ASGI app whose /healthz answers 200 or 503 on demand."""

    def __init__(self) -> None:
        self.healthy = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 200 if self.healthy else 503
        body = json.dumps({"status": status}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def test_active_health_checks_eject_and_readmit() -> None:
    app = Switchable()
    pool = UpstreamPool("svc", [Instance.asgi(app)], eject_after=2)
    instance = pool.instances[0]
    try:
        app.healthy = False
        await pool.check_health()
        await pool.check_health()
        assert instance.ejected
        app.healthy = True
        await pool.check_health()
        assert not instance.ejected
        assert instance.consecutive_failures == 0
    finally:
        await pool.stop()


async def test_start_and_stop_run_the_health_task() -> None:
    pool = UpstreamPool("svc", [Instance.asgi(Switchable())], health_interval=0.01)
    await pool.start()
    await pool.start()  # idempotent
    assert pool._health_task is not None
    await pool.stop()
    assert pool._health_task is None


def test_upstreams_from_mapping_builds_both_kinds() -> None:
    app = Switchable()
    ups = Upstreams.from_mapping(
        {"one": "http://127.0.0.1:9001/", "many": ["http://a:1", "http://b:2"], "emb": app},
        eject_after=5,
    )
    assert ups.names() == ["emb", "many", "one"]
    one, many, emb = ups.get("one"), ups.get("many"), ups.get("emb")
    assert one is not None
    assert many is not None
    assert emb is not None
    assert [i.url for i in one.instances] == ["http://127.0.0.1:9001"]
    assert [i.url for i in many.instances] == ["http://a:1", "http://b:2"]
    assert emb.instances[0].kind == "asgi"
    assert emb.instances[0].app is app
    assert emb.health_path is None  # embedded apps need not serve /healthz
    assert many.health_path == "/healthz"
    assert many.eject_after == 5
    assert ups.get("missing") is None
    assert set(ups.snapshot()) == {"emb", "many", "one"}
