"""The forwarder against several real upstream processes (uvicorn subprocesses)."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import pytest

from burency_testing.proxy_rig.proxy_gateway import SLOW_TIMEOUT, in_process_gateway
from burency_testing.proxy_rig.servers import Server, free_port, stop_all, until, upstreams


@pytest.fixture(scope="module")
def cluster() -> Iterator[list[Server]]:
    servers = upstreams(3, prefix="c")
    yield servers
    stop_all(servers)


def urls(servers: list[Server]) -> list[str]:
    return [s.url for s in servers]


async def test_round_robin_spreads_requests_evenly(cluster: list[Server]) -> None:
    # Only the policy in play: a health probe that a loaded machine answers late would eject
    # an instance and skew the count, which is not what this test is about.
    async with in_process_gateway({"svc": urls(cluster)}, health_path=None) as (client, _):
        answers = [(await client.get("/api/svc/whoami")).json()["instance"] for _ in range(30)]
    assert Counter(answers) == {"c0": 10, "c1": 10, "c2": 10}


async def test_least_in_flight_avoids_the_busy_instance(cluster: list[Server]) -> None:
    import asyncio

    options = {"policy": "least_in_flight", "health_path": None}
    async with in_process_gateway({"svc": urls(cluster[:2])}, **options) as (client, ups):
        pool = ups.get("svc")
        assert pool is not None
        # The slow request stays in flight until the answers are in, however slow the
        # machine: it lingers far longer than the test and is cancelled at the end.
        slow = asyncio.create_task(client.get("/api/svc/linger", params={"seconds": "4"}))
        await until(
            lambda: sum(i.in_flight for i in pool.instances) == 1,
            deadline_s=5,
            what="slow request in flight",
        )
        busy = next(i for i in pool.instances if i.in_flight)
        answers = {(await client.get("/api/svc/whoami")).json()["instance"] for _ in range(5)}
        assert not slow.done()
        slow.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await slow
    assert len(answers) == 1
    assert busy.url not in {s.url for s in cluster if s.env["UPSTREAM_ID"] in answers}


async def test_headers_are_rewritten_both_ways(cluster: list[Server]) -> None:
    async with in_process_gateway({"svc": urls(cluster[:1])}) as (client, _):
        response = await client.get(
            "/api/svc/echo",
            headers={
                "connection": "x-client-private",
                "x-client-private": "1",
                "keep-alive": "timeout=5",
                "te": "trailers",
                "proxy-authorization": "Basic Zm9vOmJhcg==",
                "upgrade": "h2c",
                "x-burency-user-id": "forged",
                "x-burency-roles": "admin",
                "authorization": "Bearer test-token",
                "x-forwarded-for": "198.51.100.7",
            },
        )
    assert response.status_code == 200
    sent = response.json()["headers"]
    names = [name for name, _ in sent]
    headers = dict(sent)
    for hop in (
        "connection",
        "x-client-private",
        "keep-alive",
        "te",
        "proxy-authorization",
        "upgrade",
    ):
        assert hop not in names, hop
    assert [v for n, v in sent if n.startswith("x-burency-")] == ["u-verified"]
    assert headers["authorization"] == "Bearer test-token"
    assert headers["host"] == cluster[0].url.removeprefix("http://")
    assert headers["x-forwarded-for"] == "198.51.100.7, 127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-host"] == "gateway.test"
    assert headers["x-forwarded-prefix"] == "/api/svc"
    assert headers["x-request-id"] == response.headers["x-request-id"]
    # and back: the upstream's Connection-named header does not reach the client
    assert response.headers["x-upstream"] == "c0"
    assert "x-upstream-private" not in response.headers


async def test_path_encoding_and_query_string_are_preserved(cluster: list[Server]) -> None:
    async with in_process_gateway({"svc": urls(cluster[:1])}) as (client, _):
        echo = (await client.get("/api/svc/echo/a%2Fb%20c?x=1&x=2&y=%C3%A9")).json()
    assert echo["raw_path"] == "/echo/a%2Fb%20c"
    assert echo["query"] == "x=1&x=2&y=%C3%A9"


async def test_slow_upstream_gives_504_within_the_route_timeout(cluster: list[Server]) -> None:
    async with in_process_gateway({"svc": urls(cluster)}) as (client, _):
        started = time.monotonic()
        response = await client.get("/api/svc/slow", params={"seconds": "5"})
        elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "UPSTREAM_TIMEOUT"
    assert "svc" in problem["detail"]
    assert problem["requestId"] == response.headers["x-request-id"]
    assert SLOW_TIMEOUT - 0.05 <= elapsed < SLOW_TIMEOUT + 0.5


async def test_chunked_upload_and_streamed_download_pass_through(cluster: list[Server]) -> None:
    digest = hashlib.sha256()

    async def body() -> AsyncIterator[bytes]:  # no Content-Length: chunked all the way
        for i in range(32):
            chunk = bytes([i]) * 65536
            digest.update(chunk)
            yield chunk

    async with in_process_gateway({"svc": urls(cluster[:1])}) as (client, _):
        uploaded = (await client.post("/api/svc/upload", content=body())).json()
        download = await client.get("/api/svc/download", params={"bytes": str(3 * 1024 * 1024 + 7)})
        head = await client.head("/api/svc/whoami")
    assert uploaded == {"instance": "c0", "sha256": digest.hexdigest(), "bytes": 32 * 65536}
    assert len(download.content) == 3 * 1024 * 1024 + 7
    assert head.status_code == 200
    assert head.content == b""


async def test_post_is_retried_only_after_a_connect_error(cluster: list[Server]) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    async with in_process_gateway({"svc": [dead, cluster[0].url]}) as (client, ups):
        response = await client.post("/api/svc/echo", content=b'{"side":"buy"}')
        pool = ups.get("svc")
        assert pool is not None
        assert pool.instances[0].consecutive_failures >= 1  # round robin tried the dead one first
    assert response.status_code == 200
    assert response.json()["body"] == '{"side":"buy"}'


async def test_upstream_503s_eject_then_a_success_readmits(cluster: list[Server]) -> None:
    options = {"eject_after": 3, "health_path": None}  # only passive checks in play
    async with in_process_gateway({"svc": urls(cluster[:1])}, **options) as (client, ups):
        pool = ups.get("svc")
        assert pool is not None
        statuses = [(await client.get("/api/svc/status/503")).status_code for _ in range(3)]
        assert pool.instances[0].ejected
        # every instance ejected: the least recently failed is still tried, and it answers
        assert (await client.get("/api/svc/whoami")).status_code == 200
        assert not pool.instances[0].ejected
    assert statuses == [503, 503, 503]


async def test_all_instances_down_gives_502_naming_the_service() -> None:
    dead = [f"http://127.0.0.1:{free_port()}" for _ in range(3)]
    async with in_process_gateway({"ledger": dead}) as (client, ups):
        response = await client.get("/api/ledger/v1/balances")
        pool = ups.get("ledger")
        assert pool is not None
        assert all(i.consecutive_failures >= 1 and i.in_flight == 0 for i in pool.instances)
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "UPSTREAM_FAILED"
    assert "ledger" in problem["detail"]
    assert problem["instance"] == "/api/ledger/v1/balances"


async def test_client_gone_mid_upload_aborts_the_upstream_request(cluster: list[Server]) -> None:
    from burency_gateway.proxy import Instance, UpstreamPool, forward

    messages = [{"type": "http.request", "body": b"x" * 1000, "more_body": True}]
    messages.append({"type": "http.disconnect"})
    sent: list[object] = []

    async def receive() -> dict[str, object]:
        return messages.pop(0)

    async def send(message: object) -> None:
        sent.append(message)

    pool = UpstreamPool("svc", [Instance.http(cluster[0].url)], health_path=None)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/svc/upload",
        "raw_path": b"/api/svc/upload",
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
