"""``burency up`` (what ``make run`` calls): one process, auth behind the gateway, a demo admin."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from burency_gateway.app import build_gateway
from burency_gateway.settings import GatewaySettings
from burency_testing.infra import free_port


async def test_healthz_lists_mounted_services_to_the_metrics_token_only() -> None:
    metrics_token = "m" * 32
    settings = GatewaySettings(_env_file=None, metrics_token=metrics_token)  # type: ignore[call-arg]
    app = build_gateway(settings, services={"example": FastAPI()}).app
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        anonymous = (await client.get("/healthz")).json()
        operator = await client.get(
            "/healthz", headers={"Authorization": f"Bearer {metrics_token}"}
        )
    assert anonymous == {"status": "ok"}
    assert operator.json()["services"] == ["example"]


class Running:
    def __init__(self, url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.url, self.proc, self.log = url, proc, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, pattern: str, deadline_s: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + deadline_s
        while not (match := re.search(pattern, self.output())):
            assert self.proc.poll() is None, f"burency up exited:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.output()}"
            time.sleep(0.05)  # polling the log with a deadline
        return match


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Running]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
    env.update(BURENCY_PORT=str(port), BURENCY_DATA_DIR=str(tmp_path / "var"))
    log = tmp_path / "up.log"
    cli = Path(sys.executable).parent / "burency"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(cli), "up"], env=env, stdout=out, stderr=subprocess.STDOUT, umask=0o022
        )
    running = Running(f"http://127.0.0.1:{port}", proc, log)
    yield running
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_burency_up_serves_the_platform_and_prints_url_and_admin(platform: Running) -> None:
    platform.wait_for(r"URL:\s+" + re.escape(platform.url))
    email, password = platform.wait_for(r"email:\s+(\S+)\s+password:\s+(\S+)").groups()
    assert httpx.get(f"{platform.url}/healthz", timeout=5).json() == {"status": "ok"}

    login = httpx.post(
        f"{platform.url}/api/auth/v1/login", json={"email": email, "password": password}
    )
    assert login.status_code == 200, login.text
    token = login.json()["accessToken"]
    health = httpx.get(
        f"{platform.url}/healthz", headers={"Authorization": f"Bearer {token}"}, timeout=5
    ).json()
    assert health["services"] == ["auth", "banking", "files", "notifications", "trading", "users"]
    users = httpx.get(
        f"{platform.url}/api/auth/v1/admin/users", headers={"Authorization": f"Bearer {token}"}
    )
    assert users.status_code == 200
    assert email in [u["email"] for u in users.json()["items"]]

    platform.proc.send_signal(signal.SIGINT)
    assert platform.proc.wait(timeout=15) == 0
    assert "NOT FOR PRODUCTION" in platform.output()


def test_embedded_data_is_readable_by_its_owner_only(platform: Running, tmp_path: Path) -> None:
    """auth.db holds password hashes, the signing key signs every token: nothing under the
    data directory may be readable by other accounts on the machine (found 0644 once)."""
    platform.wait_for(r"URL:\s+" + re.escape(platform.url))
    platform.wait_for(r"email:\s+(\S+)\s+password:\s+(\S+)")  # printed once started
    registered = httpx.post(
        f"{platform.url}/api/auth/v1/register",
        json={"email": "perm@example.com", "password": "correct horse battery"},
    )
    assert registered.status_code == 202, registered.text
    data_dir = tmp_path / "var"
    entries = [data_dir, *data_dir.rglob("*")]
    assert any(p.name == "auth.db" for p in entries)
    assert any(p.name.endswith("-wal") for p in entries)
    open_to_others = {
        str(p.relative_to(tmp_path)): oct(p.stat().st_mode & 0o777)
        for p in entries
        if p.stat().st_mode & 0o077
    }
    assert open_to_others == {}
