"""An attacker with a stolen access token must not find reset or verification links.

The whole embedded platform is served by uvicorn; everything goes through the gateway
as an outsider sends it. The attacker holds the victim's access token: they read the
in-app feed and keep a Socket.IO connection open, then ask for a password reset (and a
new verification link) for the victim's address. The links appear in neither, nor in
the server's log; the victim's mailbox (embedded mode: the owner-only ``.eml`` files
under ``<data dir>/mail``) has them, and they work.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
import uvicorn

from burency_platform.embedded import build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.infra import free_port
from burency_testing.waiting import eventually

PASSWORD = "a perfectly long pass phrase"
NEW_PASSWORD = "another quite long pass phrase"
LINK = re.compile(r"/(reset-password|verify-email)\?token=([A-Za-z0-9_-]+)")


@asynccontextmanager
async def serving(settings: PlatformSettings) -> AsyncIterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(
            build_platform(settings), host="127.0.0.1", port=settings.port, log_level="warning"
        )
    )
    task = asyncio.create_task(server.serve())
    try:

        async def started() -> bool:
            assert not task.done(), "uvicorn stopped while starting"
            return bool(server.started)

        await eventually(started, "the platform to serve")
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        server.should_exit = True
        await task


def mailbox(mail_dir: Path) -> dict[str, list[str]]:
    """The tokens of the links in the recorded e-mails, by page (what the owner reads)."""
    found: dict[str, list[str]] = {}
    for path in sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text = "\n".join(p.get_content() for p in mail.walk() if not p.is_multipart())
        for page, token in dict.fromkeys(LINK.findall(text)):
            found.setdefault(page, []).append(token)
    return found


class Attacker:
    """Holds the victim's access token: reads the feed and listens on Socket.IO."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.token = token
        self.socket = socketio.AsyncClient()
        self.pushed: list[Any] = []

    async def listen(self, url: str) -> None:
        async def on_notification(data: Any) -> None:
            self.pushed.append(data)

        self.socket.on("notification", on_notification)
        await self.socket.connect(url, auth={"token": self.token}, wait_timeout=10)

    async def feed(self) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = await self.http.get("/api/notifications/v1/notifications", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def saw(self, event: str, count: int) -> None:
        """Wait until ``count`` items of ``event`` are in the feed and were pushed live."""

        async def arrived() -> bool:
            items = [i for i in (await self.feed())["items"] if i["event"] == event]
            live = [p for p in self.pushed if p["event"] == event]
            return len(items) >= count and len(live) >= count - 1

        await eventually(arrived, f"{event} in the feed and on the socket")


async def sign_in(http: httpx.AsyncClient, address: str, password: str = PASSWORD) -> str:
    login = await http.post("/api/auth/v1/login", json={"email": address, "password": password})
    assert login.status_code == 200, login.text
    return str(login.json()["accessToken"])


async def test_a_stolen_session_finds_no_reset_or_verification_link(
    tmp_path: Path, settings_factory: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "var"
    settings = settings_factory(PlatformSettings, data_dir=data_dir, port=free_port())
    victim = "victim@example.com"
    async with serving(settings) as url, httpx.AsyncClient(base_url=url) as http:
        registered = await http.post(
            "/api/auth/v1/register", json={"email": victim, "password": PASSWORD}
        )
        assert registered.status_code == 202, registered.text
        attacker = Attacker(http, await sign_in(http, victim))
        await attacker.listen(url)
        try:
            asked = await http.post("/api/auth/v1/password-reset", json={"email": victim})
            assert asked.status_code == 202, asked.text
            resend = await http.post(
                "/api/auth/v1/email-verification/resend", json={"email": victim}
            )
            assert resend.status_code == 202, resend.text
            await attacker.saw("auth.password_reset", 1)
            await attacker.saw("auth.verify_email", 2)  # at registration, then the resend
            feed = await attacker.feed()
        finally:
            await attacker.socket.disconnect()
        stolen = LINK.findall(repr(feed) + repr(attacker.pushed))
        assert not stolen, f"the attacker read {len(stolen)} one-time link(s)"

        async def mailed() -> bool:
            tokens = mailbox(data_dir / "mail")
            return len(tokens.get("reset-password", [])) == 1 and len(tokens["verify-email"]) == 2

        await eventually(mailed, "the reset and verification e-mails")
        tokens = mailbox(data_dir / "mail")
        seen = repr(feed) + repr(attacker.pushed) + "".join(capfd.readouterr())
        for token in tokens["reset-password"] + tokens["verify-email"]:
            assert token not in seen, "a one-time token reached the feed, the socket or a log"
        reset_item = next(i for i in feed["items"] if i["event"] == "auth.password_reset")
        assert "password reset was requested" in reset_item["body"]

        # the owner of the mailbox can use both links
        [reset] = tokens["reset-password"]
        confirmed = await http.post(
            "/api/auth/v1/password-reset/confirm",
            json={"token": reset, "newPassword": NEW_PASSWORD},
        )
        assert confirmed.status_code == 204, confirmed.text
        await sign_in(http, victim, NEW_PASSWORD)
        verified = await http.post(
            "/api/auth/v1/email-verification", json={"token": tokens["verify-email"][-1]}
        )
        assert verified.status_code == 200, verified.text
    assert stat.S_IMODE((data_dir / "mail").stat().st_mode) == 0o700
