"""``burency up`` (what ``make run`` calls) starts the platform and answers ``/healthz``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from burency_gateway.app import build_gateway
from burency_gateway.settings import GatewaySettings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_healthz_lists_mounted_services() -> None:
    from fastapi import FastAPI

    settings = GatewaySettings(_env_file=None)
    app = build_gateway(settings, services={"example": FastAPI()}).app
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        body = (await client.get("/healthz")).json()
    assert body["status"] == "ok"
    assert body["services"] == ["example"]


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = {
        **os.environ,
        "BURENCY_PORT": str(port),
        "BURENCY_DATA_DIR": str(tmp_path / "var"),
    }
    cli = Path(sys.executable).parent / "burency"
    proc = subprocess.Popen(
        [str(cli), "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    yield f"http://127.0.0.1:{port}", proc
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_burency_up_serves_healthz_and_prints_its_url(
    platform: tuple[str, subprocess.Popen[str]],
) -> None:
    url, proc = platform
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, "burency up exited early"
        try:
            response = httpx.get(f"{url}/healthz", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                pytest.fail("burency up did not answer /healthz within 30 s")
            time.sleep(0.1)  # polling with a deadline, not waiting for a result
    assert response.status_code == 200
    assert response.json()["service"] == "gateway"
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=15)
    assert url in output
    assert proc.returncode == 0
