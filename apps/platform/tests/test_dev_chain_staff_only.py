"""The simulated chain of embedded mode is staff-only (issue #13): paying one's own
deposit address on it mints money, so a signed-in user who could drive it could credit
themselves anything. Through the gateway, as an outsider would: a user gets 403 and the
chain does not move; the admin drives it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from burency_auth.service import bootstrap
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings

PASSWORD = "a perfectly long pass phrase"
CHAIN = "/api/banking/v1/dev/chain"


@pytest.fixture
async def platform(
    tmp_path: Path, settings_factory: Any
) -> AsyncIterator[tuple[Platform, httpx.AsyncClient]]:
    built = build_platform(settings_factory(PlatformSettings, data_dir=tmp_path / "var"))
    async with LifespanManager(built) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://burency") as client:
            yield built, client


async def _bearer(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    login = await client.post("/api/auth/v1/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['accessToken']}"}


async def test_a_user_cannot_drive_the_simulated_chain_and_the_admin_can(
    platform: tuple[Platform, httpx.AsyncClient],
) -> None:
    built, client = platform
    registered = await client.post(
        "/api/auth/v1/register", json={"email": "mallory@example.com", "password": PASSWORD}
    )
    assert registered.status_code == 202, registered.text
    user = await _bearer(client, "mallory@example.com")
    await bootstrap.create_admin(built.auth.context, email="ops@example.com", password=PASSWORD)
    admin = await _bearer(client, "ops@example.com")
    height = (await client.get(f"{CHAIN}/BTC", headers=admin)).json()["height"]

    attempts = [
        ("GET", f"{CHAIN}/BTC", None),
        ("POST", f"{CHAIN}/BTC/mine", {"blocks": 3}),
        ("POST", f"{CHAIN}/BTC/send",
         {"address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "amount": "1"}),
        ("POST", f"{CHAIN}/BTC/reorg", {"txid": "0" * 64}),
        ("POST", f"{CHAIN}/scan", {}),
    ]  # fmt: skip
    for method, path, body in attempts:
        refused = await client.request(method, path, json=body, headers=user)
        assert (refused.status_code, refused.json()["code"]) == (403, "PERMISSION_DENIED"), path
    anonymous = await client.post(f"{CHAIN}/BTC/mine", json={"blocks": 1})
    assert anonymous.status_code == 401

    mined = await client.post(f"{CHAIN}/BTC/mine", json={"blocks": 2}, headers=admin)
    assert (mined.status_code, mined.json()["height"]) == (200, height + 2)  # user mined none
    scanned = await client.post(f"{CHAIN}/scan", headers=admin)
    assert scanned.status_code == 204
