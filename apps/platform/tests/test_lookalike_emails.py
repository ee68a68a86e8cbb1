"""Finding 7 of issue 13, through the gateway: look-alike spellings of an existing
address (full-width letters, a Cyrillic letter, a combining accent) never create a
second account, and signing in with one never reaches another account."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from burency_auth.adapters.orm import users
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.raw_http import ServedApp, raw_request

from .platform_testing import PlatformClient

PASSWORD = "a perfectly long pass phrase"
OTHER_PASSWORD = "an attacker's own long phrase"
FULLWIDTH = "\uff21\uff2c\uff29\uff23\uff25@example.com"  # ALICE in full-width letters
CYRILLIC = "\u0430lice@example.com"  # Cyrillic a
COMBINING = "alice\u0301@example.com"  # alice + combining acute accent


@pytest.fixture
async def platform(tmp_path: Path, settings_factory: Any) -> AsyncIterator[PlatformClient]:
    settings = settings_factory(PlatformSettings, data_dir=tmp_path / "var")
    built: Platform = build_platform(settings)
    async with LifespanManager(built) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with PlatformClient(built, transport=transport, base_url="http://burency") as c:
            yield c


async def _accounts(client: PlatformClient) -> int:
    async with client.platform.auth.context.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(users)) or 0)


async def _register(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    # The body as raw bytes with JSON escapes, so no client library re-encodes anything.
    body = json.dumps({"email": email, "password": password}, ensure_ascii=True).encode()
    return await client.post(
        "/api/auth/v1/register", content=body, headers={"Content-Type": "application/json"}
    )


def _subject(token: str) -> str:
    segment = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))["sub"])


async def test_lookalikes_of_an_existing_address_create_no_account(
    platform: PlatformClient,
) -> None:
    client = platform
    before = await _accounts(client)  # the demo admin
    first = await _register(client, "alice@example.com", PASSWORD)
    assert first.status_code == 202, first.text
    assert await _accounts(client) == before + 1

    same = await _register(client, FULLWIDTH, OTHER_PASSWORD)
    assert (same.status_code, same.json()) == (202, first.json())  # "exists" leaks nothing
    for spoof in (CYRILLIC, COMBINING):
        refused = await _register(client, spoof, OTHER_PASSWORD)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "EMAIL_NOT_ALLOWED"
    assert await _accounts(client) == before + 1


async def test_signing_in_with_a_lookalike_never_reaches_another_account(
    platform: PlatformClient,
) -> None:
    client = platform
    assert (await _register(client, "alice@example.com", PASSWORD)).status_code == 202
    login = await client.post(
        "/api/auth/v1/login", json={"email": "alice@example.com", "password": PASSWORD}
    )
    alice = _subject(login.json()["accessToken"])

    # The full-width spelling is the same address: it is alice's own account, and only
    # with alice's password.
    same = await client.post("/api/auth/v1/login", json={"email": FULLWIDTH, "password": PASSWORD})
    assert same.status_code == 200, same.text
    assert _subject(same.json()["accessToken"]) == alice
    # A look-alike of another script is another address, which has no account: even
    # alice's own password does not open alice's account through it.
    for spoof in (CYRILLIC, COMBINING):
        answer = await client.post(
            "/api/auth/v1/login", json={"email": spoof, "password": PASSWORD}
        )
        assert answer.status_code == 401, (spoof, answer.text)
        assert answer.json()["code"] == "INVALID_CREDENTIALS"


def test_raw_utf8_bodies_over_a_socket(tmp_path: Path, settings_factory: Any) -> None:
    """The same three spellings as raw UTF-8 bytes on the wire, through a real server."""
    platform = build_platform(settings_factory(PlatformSettings, data_dir=tmp_path / "var"))
    headers = {"Content-Type": "application/json; charset=utf-8"}

    def register(email: str) -> tuple[int, Any]:
        body = json.dumps({"email": email, "password": PASSWORD}, ensure_ascii=False)
        answer = raw_request(
            served.port, "POST", b"/api/auth/v1/register", headers=headers,
            body=body.encode("utf-8"),
        )  # fmt: skip
        return answer.status, json.loads(answer.body)

    with ServedApp(platform) as served:
        first = register("alice@example.com")
        assert first[0] == 202, first
        assert register(FULLWIDTH) == first
        for spoof in (CYRILLIC, COMBINING):
            status, body = register(spoof)
            assert (status, body["code"]) == (422, "EMAIL_NOT_ALLOWED"), body
