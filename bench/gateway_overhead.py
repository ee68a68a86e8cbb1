"""Gateway overhead: requests/s and latency of a trivial GET, direct vs through the gateway.

Starts a trivial upstream and a gateway (the proxy test gateway: route match, request-id
middleware, ``forward``) as uvicorn subprocesses on loopback, then drives each with a
bounded httpx load generator. Targets are printed beside the figures, not asserted.
The load generator runs on the same machine and competes with both servers for CPU.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import httpx
import psutil
from _common import percentile, write_result

from burency_testing.proxy_rig.servers import Server, start_all, stop_all

REQUESTS = 3000
CONCURRENCY = 32
UNLOADED = 500  # sequential requests for the latency the gateway adds when idle
WARMUP = 300
MAX_SECONDS = 10.0


async def _load(url: str, total: int, concurrency: int) -> tuple[float, list[float], int]:
    """``total`` GETs from ``concurrency`` workers; returns (requests/s, ms latencies, failures).

    Each worker has its own keep-alive ``httpx.AsyncClient`` (one connection), like
    independent API users. One shared client at this concurrency measures httpcore's
    pool bookkeeping instead (it collapsed to ~200 requests/s here; encode/httpcore#1035).
    """
    latencies: list[float] = []
    failures = 0
    remaining = total
    deadline = time.monotonic() + MAX_SECONDS
    clients = [httpx.AsyncClient(timeout=10) for _ in range(concurrency)]

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal remaining, failures
        async with client:
            while remaining > 0 and time.monotonic() < deadline:
                remaining -= 1
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - started) * 1000)
                failures += response.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(worker(client) for client in clients))
    return len(latencies) / (time.perf_counter() - started), latencies, failures


async def _measure(server: Server, path: str) -> dict[str, float]:
    """Throughput and latency under load, latency one at a time, server CPU per request.

    CPU per request (user + system time of the server process over the loaded run) is
    the steadiest figure on a shared machine: it does not depend on who else runs. The
    load generator's own CPU per request is reported too: it is usually the largest, so
    the throughput figures say as much about it as about the servers.
    """
    url = server.url + path
    process = psutil.Process(server.pid)
    await _load(url, WARMUP, CONCURRENCY)
    cpu_before, own_before = sum(process.cpu_times()[:2]), time.process_time()
    rps, latencies, failures = await _load(url, REQUESTS, CONCURRENCY)
    cpu = sum(process.cpu_times()[:2]) - cpu_before
    own = time.process_time() - own_before
    _, idle, idle_failures = await _load(url, UNLOADED, 1)
    return {
        "rps": round(rps),
        "cpu_us_per_request": round(cpu / len(latencies) * 1e6),
        "loadgen_cpu_us_per_request": round(own / len(latencies) * 1e6),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "idle_p50_ms": round(percentile(idle, 50), 3),
        "idle_p99_ms": round(percentile(idle, 99), 3),
        "failures": failures + idle_failures,
    }


def main() -> None:
    upstream = Server("proxy_upstream", env={"UPSTREAM_ID": "bench"})
    routes = json.dumps({"bench": [upstream.url]})
    gateway = Server("proxy_gateway", env={"PROXY_GATEWAY_UPSTREAMS": routes})
    full = Server(
        "full_gateway", env={"FULL_GATEWAY_UPSTREAMS": json.dumps({"users": [upstream.url]})}
    )
    servers = start_all([upstream, gateway, full])
    try:
        direct = asyncio.run(_measure(upstream, "/healthz"))
        proxied = asyncio.run(_measure(gateway, "/api/bench/healthz"))
        complete = asyncio.run(_measure(full, "/api/users/healthz"))
    finally:
        stop_all(servers)
    figures: dict[str, object] = {}
    results = (("direct", direct), ("gateway", proxied), ("full_gateway", complete))
    for name, result in results:
        figures.update({f"{name}_{key}": value for key, value in result.items()})
    ratio = proxied["rps"] / direct["rps"]
    added = proxied["idle_p50_ms"] - direct["idle_p50_ms"]
    full_ratio = complete["rps"] / direct["rps"]
    full_added = complete["idle_p50_ms"] - direct["idle_p50_ms"]
    figures.update(
        throughput_ratio=round(ratio, 3),
        added_idle_p50_ms=round(added, 3),
        full_throughput_ratio=round(full_ratio, 3),
        full_added_idle_p50_ms=round(full_added, 3),
        requests=REQUESTS,
        concurrency=CONCURRENCY,
        cpu_cores=os.cpu_count(),
    )
    print(
        f"GET /healthz: {REQUESTS} requests at concurrency {CONCURRENCY} (max {MAX_SECONDS:g} s),"
        f" then {UNLOADED} one at a time. {os.cpu_count()} CPU cores are shared by the httpx"
        " load generator, the gateway and the upstream: the figures compare, they are not"
        " capacity. The gateway is route match + request-id/metrics middleware + forward."
    )
    print(f"  target: gateway keeps >= 60% of direct throughput -> {ratio:.0%}")
    print(f"  target: gateway adds < 2 ms at p50 (one at a time) -> {added:.2f} ms")
    print(
        "  full production gateway (security headers, body limits, rate limiter, auth"
        f" check, Socket.IO edge): {full_ratio:.0%} of direct, adds {full_added:.2f} ms at p50"
    )
    write_result("gateway_overhead", figures)


if __name__ == "__main__":
    main()
