"""The order path of the embedded platform: the gateway answers plain placements and
cancels through trading's direct routes (no second request pipeline), and an outsider
gets exactly the checks and answers of the app's routes: no verified e-mail, a token
that was logged out, no token, someone else's order id, a raw dot-segment
path; and a user's own order is placed and cancelled with the gateway's headers on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.waiting import eventually
from burency_trading.domain.model import TransferIn

from .platform_testing import PlatformClient
from .platform_testing.banking import PASSWORD, Person, sign_in

ORDERS = "/api/trading/v1/orders"
ORDER = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
         "quantity": "0.001", "price": "100000"}  # fmt: skip


@pytest.fixture
async def platform(
    tmp_path: Path, settings_factory: Any
) -> AsyncIterator[tuple[Platform, httpx.AsyncClient]]:
    built = build_platform(settings_factory(PlatformSettings, data_dir=tmp_path / "var"))
    async with LifespanManager(built, shutdown_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with PlatformClient(built, transport=transport, base_url="http://burency") as client:
            yield built, client


async def _fund(built: Platform, who: Person, aed: int) -> None:
    """Spot AED for ``who`` (the command banking's transfer saga submits; the saga
    itself is tested in test_trading_round_trip.py)."""
    trading: Any = next(c for c in built.components if c.name == "trading")
    await trading.handle.submit(TransferIn(f"lane-{who.user_id}", who.user_id, "AED", aed))


async def test_a_users_own_order_is_placed_and_cancelled_with_the_gateways_headers(
    platform: tuple[Platform, httpx.AsyncClient],
) -> None:
    built, client = platform
    alice = await sign_in(client, "alice@example.com")
    await _fund(built, alice, 100_000)  # 1,000.00 AED
    placed = await client.post(ORDERS, json=ORDER, headers=alice.headers)
    assert placed.status_code == 201, placed.text
    assert placed.json()["status"] == "NEW"
    assert placed.headers["cache-control"] == "no-store"
    assert placed.headers["x-content-type-options"] == "nosniff"
    assert placed.headers["x-request-id"]
    assert "x-ratelimit-remaining" in placed.headers
    order_id = placed.json()["orderId"]

    mallory = await sign_in(client, "mallory@example.com")
    stolen = await client.delete(f"{ORDERS}/{order_id}", headers=mallory.headers)
    assert (stolen.status_code, stolen.json()["code"]) == (404, "ORDER_NOT_FOUND")
    assert stolen.json()["instance"] == f"/v1/orders/{order_id}"

    raw_path = await client.delete(
        f"/api/trading/v1/x/%2e%2e/orders/{order_id}", headers=alice.headers
    )
    assert raw_path.status_code == 200, raw_path.text
    assert raw_path.json()["status"] == "CANCELED"

    poor = await client.post(ORDERS, json={**ORDER, "quantity": "1"}, headers=alice.headers)
    assert poor.status_code == 409  # the engine refused it, as the app answers it
    assert poor.headers["content-type"] == "application/problem+json"
    assert poor.json()["code"] == "INSUFFICIENT_BALANCE"


async def test_an_outsider_meets_every_check(
    platform: tuple[Platform, httpx.AsyncClient],
) -> None:
    _, client = platform
    email = "unverified@example.com"
    registered = await client.post(
        "/api/auth/v1/register", json={"email": email, "password": PASSWORD}
    )
    assert registered.status_code == 202
    login = await client.post("/api/auth/v1/login", json={"email": email, "password": PASSWORD})
    unverified = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    refused = await client.post(ORDERS, json=ORDER, headers=unverified)
    assert (refused.status_code, refused.json()["code"]) == (403, "EMAIL_NOT_VERIFIED")

    bob = await sign_in(client, "bob@example.com")
    logged_out = await client.post("/api/auth/v1/logout", headers=bob.headers)
    assert logged_out.status_code in (200, 204), logged_out.text

    async def refused_after_logout() -> bool:  # revocation reaches the gateway as an event
        return (await client.post(ORDERS, json=ORDER, headers=bob.headers)).status_code == 401

    await eventually(refused_after_logout, "the logged-out token to be refused", timeout=15)
    anonymous = await client.post(ORDERS, json=ORDER)
    assert anonymous.status_code == 401
