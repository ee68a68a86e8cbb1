"""Who may do what: order writes need the API-key scope ``trade`` and a verified e-mail
(checked here from the signed identity, not only at the gateway); reads need a
signed-in caller; markets are public; a full engine queue is 503 with Retry-After;
every write declares its scope or a staff permission."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from burency_common.identity import required_scope_of
from burency_common.permissions import required_permission_of
from burency_trading.app import routers

from .support import Api, busy

BODY = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "quantity": "0.001",
        "price": "100000"}  # fmt: skip
WRITES = [
    ("POST", "/v1/orders", BODY),
    ("DELETE", "/v1/orders/1", None),
    ("DELETE", "/v1/orders?clientOrderId=x", None),
    ("PATCH", "/v1/orders/1", {"quantity": "0.001"}),
    ("DELETE", "/v1/open-orders", None),
]
READS = ["/v1/balances", "/v1/open-orders", "/v1/order-history", "/v1/my-trades",
         "/v1/fee-tier", "/v1/transfers", "/v1/orders/1", "/v1/orders?clientOrderId=x"]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_writes_need_the_trade_scope_and_a_verified_email(
    api: Api, method: str, path: str, body: Any
) -> None:
    await api.fund("alice", "AED", "1000")

    async def send(headers: dict[str, str]) -> Any:
        return await api.client.request(method, path, json=body, headers=headers)

    before = len(api.local.submitted)
    read_key = await send(api.headers("alice", scopes={"read"}))
    assert read_key.status_code == 403
    assert read_key.json()["code"] == "API_KEY_SCOPE_MISSING"
    unverified = await send(api.headers("alice", verified=False))
    assert unverified.status_code == 403
    assert unverified.json()["code"] == "EMAIL_NOT_VERIFIED"
    anonymous = await send({})
    assert anonymous.status_code == 401
    assert len(api.local.submitted) == before  # nothing reached the engine
    trade_key = await send(api.headers("alice", scopes={"read", "trade"}))
    assert trade_key.status_code in (200, 201, 404), trade_key.text


@pytest.mark.parametrize("path", READS)
async def test_reads_need_a_signed_in_caller(api: Api, path: str) -> None:
    assert (await api.client.get(path)).status_code == 401
    answer = await api.client.get(path, headers=api.headers("alice", scopes={"read"}))
    assert answer.status_code in (200, 404), answer.text
    forged = await api.client.get(path, headers={"X-Burency-Identity": "x.y"})
    assert forged.status_code == 401


async def test_markets_are_public(api: Api) -> None:
    answer = await api.client.get("/v1/markets")
    assert answer.status_code == 200
    markets = {m["symbol"]: m for m in answer.json()["items"]}
    assert sorted(markets) == ["BTC/AED", "BTC/USDT", "ETH/AED", "ETH/USDT", "USDT/AED"]
    assert markets["BTC/AED"] == {
        "symbol": "BTC/AED", "baseAsset": "BTC", "quoteAsset": "AED",
        "baseAssetPrecision": 8, "quoteAssetPrecision": 2, "status": "TRADING",
        "tickSize": "0.01", "stepSize": "0.00001", "lotSize": "0.00001",
        "minQty": "0.00001", "maxQty": "1000.00000", "minNotional": "10.00",
        "makerFee": "0.001", "takerFee": "0.001", "priceBand": "0.1",
        "marketSlippage": "0.05",
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LIMIT", "STOP_LOSS_LIMIT",
                       "STOP_MARKET", "STOP_LOSS"],
    }  # fmt: skip


@pytest.mark.parametrize("error", [busy(2.5), busy(0.2)])
async def test_a_full_engine_queue_is_503_with_retry_after(api: Api, error: Exception) -> None:
    await api.fund("alice", "AED", "1000")
    api.local.busy = error
    answer = await api.place("alice", **BODY)
    assert answer.status_code == 503
    assert answer.json()["code"] == "ENGINE_BUSY"
    assert answer.headers["Retry-After"] == ("3" if error.retry_after > 1 else "1")
    api.local.busy = None
    assert (await api.place("alice", **BODY)).status_code == 201


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def test_every_write_declares_the_trade_scope_or_a_staff_permission() -> None:
    declared = {}
    for router in routers():
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods - {"GET", "HEAD", "OPTIONS"}):
                calls = list(_calls(route.dependant))
                scopes = {s for s in map(required_scope_of, calls) if s}
                permissions = {p for p in map(required_permission_of, calls) if p}
                declared[(method, route.path)] = (scopes, permissions)
    undeclared = [k for k, (scopes, permissions) in declared.items() if not scopes | permissions]
    assert undeclared == []
    assert all(len(scopes) <= 1 for scopes, _ in declared.values())
    assert (
        declared.items()
        >= {
            ("POST", "/v1/orders"): ({"trade"}, set()),
            ("DELETE", "/v1/orders/{orderId}"): ({"trade"}, set()),
            ("DELETE", "/v1/orders"): ({"trade"}, set()),
            ("PATCH", "/v1/orders/{orderId}"): ({"trade"}, set()),
            ("DELETE", "/v1/open-orders"): ({"trade"}, set()),
            ("PUT", "/v1/admin/markets/{symbol}/status"): (set(), {"trading.admin"}),
            ("PUT", "/v1/admin/markets/{symbol}/fees"): (set(), {"trading.admin"}),
            ("DELETE", "/v1/admin/users/{userId}/open-orders"): (set(), {"trading.admin"}),
        }.items()
    )
