"""API-key requests through the assembled gateway: signed, verified by auth, then forwarded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Request

from burency_common.apikeys import new_api_key, sign
from burency_common.identity import identity_from_request
from burency_common.timeutil import to_epoch_ms, utc_now
from burency_common.web import create_service_app
from burency_gateway.app import build_gateway
from burency_gateway.settings import GatewaySettings

from .upstreams.fake_auth import Key, auth_app

SECRET = b"s" * 32


def orders_service() -> Any:
    router = APIRouter()

    @router.api_route("/v1/orders", methods=["GET", "POST"])
    async def orders(request: Request) -> dict[str, Any]:
        identity = identity_from_request(request)
        assert identity is not None
        return {
            "userId": identity.user_id,
            "method": identity.auth_method,
            "scopes": sorted(identity.scopes),
            "body": (await request.body()).decode(),
        }

    return create_service_app(name="trading", version="t", routers=[router])


@pytest.fixture
async def client(settings_factory: Any) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, Any]]]:
    (trade, trade_secret), (read, read_secret) = new_api_key(), new_api_key()
    keys = {
        trade: Key(trade_secret, "bot-1", ("read", "trade")),
        read: Key(read_secret, "bot-2", ("read",)),
    }
    trading = orders_service()
    trading.state.identity_secret = SECRET
    services = {"auth": auth_app(keys, identity_secret=SECRET), "trading": trading}
    gateway = build_gateway(
        settings_factory(GatewaySettings), services=services, identity_secret=SECRET
    )
    async with LifespanManager(gateway.app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            yield http, {"trade": (trade, trade_secret), "read": (read, read_secret)}


def signed(key: tuple[str, str], body: bytes = b"") -> tuple[str, dict[str, str]]:
    key_id, secret = key
    query = f"symbol=BTC-USDT&timestamp={to_epoch_ms(utc_now())}&recvWindow=5000"
    return f"{query}&signature={sign(secret, query, body)}", {"X-BURENCY-APIKEY": key_id}


async def test_signed_post_reaches_the_service_with_its_body(client: Any) -> None:
    http, keys = client
    body = b'{"side":"BUY","quantity":"0.5"}'
    query, headers = signed(keys["trade"], body)
    response = await http.post(f"/api/trading/v1/orders?{query}", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "userId": "bot-1",
        "method": "api_key",
        "scopes": ["read", "trade"],
        "body": body.decode(),
    }


async def test_changed_parameter_is_refused(client: Any) -> None:
    http, keys = client
    query, headers = signed(keys["trade"])
    tampered = query.replace("BTC-USDT", "ETH-USDT")
    response = await http.get(f"/api/trading/v1/orders?{tampered}", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "API_KEY_SIGNATURE_INVALID"


async def test_read_only_key_cannot_trade(client: Any) -> None:
    http, keys = client
    query, headers = signed(keys["read"], b"{}")
    response = await http.post(f"/api/trading/v1/orders?{query}", content=b"{}", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "API_KEY_SCOPE_MISSING"
    query, headers = signed(keys["read"])
    assert (await http.get(f"/api/trading/v1/orders?{query}", headers=headers)).status_code == 200


async def test_oversized_signed_body_is_refused_before_auth(client: Any) -> None:
    http, keys = client
    body = b"x" * (65 * 1024)
    query, headers = signed(keys["trade"], body)
    response = await http.post(f"/api/trading/v1/orders?{query}", content=body, headers=headers)
    assert response.status_code == 413
