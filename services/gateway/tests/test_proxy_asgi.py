"""Embedded mode: an in-process ASGI instance goes through the same forward path."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from burency_gateway.proxy import Instance, UpstreamPool, Upstreams, forward
from burency_testing.proxy_rig.proxy_gateway import SLOW_TIMEOUT, build_gateway, in_process_gateway
from burency_testing.proxy_rig.proxy_upstream import create_app


async def test_get_and_post_reach_the_embedded_app_with_rewritten_headers() -> None:
    async with in_process_gateway({"emb": create_app("embedded")}) as (client, upstreams):
        assert (await client.get("/api/emb/whoami")).json() == {"instance": "embedded"}
        response = await client.post(
            "/api/emb/echo/x?q=1",
            content=b"payload",
            headers={"x-burency-user-id": "forged", "authorization": "Bearer test-token"},
        )
        pool = upstreams.get("emb")
        assert pool is not None
        assert pool.instances[0].in_flight == 0
    echo = response.json()
    headers = dict(echo["headers"])
    assert (echo["method"], echo["path"], echo["query"], echo["body"]) == (
        "POST",
        "/echo/x",
        "q=1",
        "payload",
    )
    assert headers["host"] == "embedded"
    assert headers["x-burency-user-id"] == "u-verified"
    assert headers["x-forwarded-prefix"] == "/api/emb"
    assert headers["x-request-id"] == response.headers["x-request-id"]


async def test_streamed_upload_reaches_the_embedded_app() -> None:
    digest = hashlib.sha256()

    async def body() -> AsyncIterator[bytes]:
        for i in range(64):
            chunk = bytes([i]) * 16384
            digest.update(chunk)
            yield chunk

    async with in_process_gateway({"emb": create_app("embedded")}) as (client, _):
        response = await client.post("/api/emb/upload", content=body())
    assert response.json()["bytes"] == 64 * 16384
    assert response.json()["sha256"] == digest.hexdigest()


async def test_slow_embedded_endpoint_times_out_with_504() -> None:
    async with in_process_gateway({"emb": create_app("embedded")}) as (client, _):
        started = time.monotonic()
        response = await client.get("/api/emb/slow", params={"seconds": "5"})
        elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert response.json()["code"] == "UPSTREAM_TIMEOUT"
    assert elapsed < SLOW_TIMEOUT + 0.5


async def crashing_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("boom")


async def test_an_app_that_crashes_gives_its_500_not_a_gateway_crash() -> None:
    async with in_process_gateway({"emb": crashing_app}) as (client, _):
        response = await client.get("/api/emb/anything")
    assert response.status_code == 500


async def test_a_pool_without_instances_answers_503_naming_the_service() -> None:
    upstreams = Upstreams([UpstreamPool("void", [])])
    transport = httpx.ASGITransport(app=build_gateway(upstreams))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        response = await client.get("/api/void/x", headers={"x-request-id": "req-503"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "SERVICE_UNAVAILABLE"
    assert "void" in problem["detail"]
    assert problem["requestId"] == "req-503"


async def test_mixed_pool_of_http_and_asgi_instances_balances_over_both() -> None:
    dead = Instance.http("http://127.0.0.1:9")  # nothing listens on the discard port
    embedded = Instance.asgi(create_app("embedded"))
    async with in_process_gateway({"mix": [dead, embedded]}, health_path=None) as (client, _):
        answers = [(await client.get("/api/mix/whoami")).json()["instance"] for _ in range(4)]
    assert answers == ["embedded"] * 4  # the dead one fails to connect; retried, never seen


async def test_client_gone_mid_upload_sends_nothing_and_blames_no_instance() -> None:
    messages = [
        {"type": "http.request", "body": b"x" * 1000, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return messages.pop(0)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    pool = UpstreamPool("emb", [Instance.asgi(create_app("embedded"))], health_path=None)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/emb/upload",
        "raw_path": b"/api/emb/upload",
        "query_string": b"",
        "headers": [(b"host", b"gw"), (b"content-length", b"5000")],
        "client": ("127.0.0.1", 5000),
        "scheme": "http",
    }
    try:
        await forward(scope, receive, send, pool=pool, upstream_path="/upload", timeout=5)
    finally:
        await pool.stop()
    assert sent == []
    assert pool.instances[0].in_flight == 0
    assert pool.instances[0].consecutive_failures == 0


async def test_http_instance_spreads_over_its_pool_shards_and_closes_them() -> None:
    instance = Instance.http("http://127.0.0.1:9", max_connections=10, pool_shards=3)
    try:
        for _ in range(3):
            request = instance.build_request("GET", "/", [], None, 1.0)
            with pytest.raises(httpx.ConnectError):
                await instance.send(request)
        assert len(instance._transports) == 3
        pools = [t._pool for t in instance._transports]  # type: ignore[attr-defined]
        assert {p._max_connections for p in pools} == {4}  # 10 split three ways, rounded up
    finally:
        await instance.aclose()
    assert instance._transports == ()
