"""Embedded mode's mailbox through the gateway: a new user reads the verification link
without an account (loopback), a client elsewhere is refused, and the link works."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager

from burency_platform.embedded import build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.waiting import eventually

PASSWORD = "a perfectly long pass phrase"
MAILBOX = "/api/notifications/v1/dev/mailbox"


@pytest.fixture
async def app(tmp_path: Path, settings_factory: Any) -> AsyncIterator[Any]:
    settings = settings_factory(PlatformSettings, data_dir=tmp_path / "var")
    async with LifespanManager(build_platform(settings)) as manager:
        yield manager.app


def client(app: Any, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(host, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://burency")


async def test_a_new_user_verifies_through_the_mailbox(app: Any) -> None:
    async with client(app, "127.0.0.1") as local:
        email = {"email": "mailbox@example.com", "password": PASSWORD}
        assert (await local.post("/api/auth/v1/register", json=email)).status_code == 202

        links: list[str] = []

        async def verify_link() -> bool:
            answer = await local.get(MAILBOX)
            assert answer.status_code == 200, answer.text
            for mail in answer.json()["items"]:
                if mail["to"] == email["email"]:
                    links.extend(link for link in mail["links"] if "/verify-email?" in link)
            return bool(links)

        await eventually(verify_link, "the verification e-mail in the mailbox")
        token = parse_qs(urlsplit(links[0]).query)["token"][0]
        verified = await local.post("/api/auth/v1/email-verification", json={"token": token})
        assert verified.status_code == 200, verified.text


async def test_a_client_elsewhere_is_refused(app: Any) -> None:
    async with client(app, "203.0.113.7") as remote:
        answer = await remote.get(MAILBOX)
        assert (answer.status_code, answer.json()["code"]) == (403, "NOT_LOOPBACK")
        # a forged forwarding header does not make it local: the gateway appends the peer
        forged = await remote.get(MAILBOX, headers={"X-Forwarded-For": "127.0.0.1"})
        assert forged.status_code == 403
