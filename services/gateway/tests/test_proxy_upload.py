"""A 20 MB upload streams through a gateway process whose memory stays flat."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator

import httpx
import psutil
import pytest

from burency_testing.proxy_rig.servers import Server, start_all, stop_all

MB = 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture
def gateway_process() -> Iterator[Server]:
    upstream = Server("proxy_upstream", env={"UPSTREAM_ID": "files-0"})
    gateway = Server(
        "proxy_gateway", env={"PROXY_GATEWAY_UPSTREAMS": json.dumps({"files": [upstream.url]})}
    )
    servers = start_all([upstream, gateway])
    yield gateway
    stop_all(servers)


def upload(url: str, size: int) -> tuple[dict[str, object], str]:
    digest = hashlib.sha256()
    block = hashlib.sha256(b"seed").digest() * (CHUNK // 32)

    def body() -> Iterator[bytes]:
        for i in range(size // CHUNK):
            chunk = i.to_bytes(4, "big") + block[4:]
            digest.update(chunk)
            yield chunk

    headers = {"content-length": str(size), "content-type": "application/octet-stream"}
    response = httpx.post(url, content=body(), headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json(), digest.hexdigest()


class PeakRss:
    """Samples a process's RSS in a thread while a block runs; keeps the maximum."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._done.wait(0.005)  # the sampling period

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def test_20mb_upload_streams_through_and_gateway_memory_stays_flat(
    gateway_process: Server,
) -> None:
    url = gateway_process.url + "/api/files/upload"
    upload(url, 2 * MB)  # warm-up: imports, connection pools, buffers
    before = psutil.Process(gateway_process.pid).memory_info().rss
    started = time.monotonic()
    with PeakRss(gateway_process.pid) as sampler:
        answer, sha = upload(url, 20 * MB)
    elapsed = time.monotonic() - started
    assert answer == {"instance": "files-0", "sha256": sha, "bytes": 20 * MB}
    growth = sampler.peak - before
    print(f"20 MB in {elapsed:.2f} s; gateway RSS {before / MB:.1f} MB, peak +{growth / MB:.2f} MB")
    assert growth < 10 * MB
