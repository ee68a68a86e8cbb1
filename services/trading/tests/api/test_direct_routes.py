"""The order routes as direct routes (entrypoints/direct.py), against the app's routes.

The embedded gateway calls these instead of the app for plain placements and cancels:
they must answer exactly as the app does, apply the same checks from the identity the
gateway verified, and decline (None) whatever only FastAPI's validation can explain.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from burency_common.direct import DirectRequest, DirectResponse
from burency_common.errors import BurencyError
from burency_common.identity import Identity
from burency_trading.entrypoints.direct import direct_routes

from .support import Api, busy

ORDER = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
         "quantity": "0.001", "price": "100000"}  # fmt: skip
VARYING = {"orderId", "time", "updateTime", "transactTime", "clientOrderId"}
JSON = (b"content-type", b"application/json")


def _who(user_id: str, *, verified: bool = True, scopes: set[str] | None = None) -> Identity:
    return Identity(
        user_id=user_id,
        roles=frozenset({"user"}),
        auth_method="jwt" if scopes is None else "api_key",
        scopes=frozenset(scopes or ()),
        email_verified=verified,
    )


async def _direct(
    api: Api,
    method: str,
    path: str,
    who: Identity | None,
    body: bytes = b"",
    *,
    query: bytes = b"",
    headers: tuple[tuple[bytes, bytes], ...] = (JSON,),
) -> DirectResponse | None:
    found = direct_routes(api.ctx).match(method, path)
    assert found is not None, path
    route, params = found
    request = DirectRequest(method, path, query, list(headers), body, who, params)
    return await route.handler(request)


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in VARYING}


async def test_a_placement_answers_as_the_apps_route(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    direct = await _direct(api, "POST", "/v1/orders", _who("alice"), json.dumps(ORDER).encode())
    app = await api.place("alice", **ORDER)
    assert direct is not None
    assert (direct.status, app.status_code) == (201, 201)
    assert direct.content_type == app.headers["content-type"]
    answer = json.loads(direct.body)
    assert _comparable(answer) == _comparable(app.json())
    assert list(answer) == list(app.json())  # the same fields in the same order
    assert answer["status"] == "NEW"


async def test_an_idempotency_key_replays_the_first_answer(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    body = json.dumps(ORDER).encode()
    keyed = (JSON, (b"idempotency-key", b"k-1"))
    first = await _direct(api, "POST", "/v1/orders", _who("alice"), body, headers=keyed)
    again = await _direct(api, "POST", "/v1/orders", _who("alice"), body, headers=keyed)
    assert first is not None
    assert again is not None
    assert (first.status, again.status) == (201, 200)
    assert again.headers == (("Idempotent-Replayed", "true"),)
    assert json.loads(again.body)["orderId"] == json.loads(first.body)["orderId"]


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (json.dumps({**ORDER, "side": "buy"}).encode(), (JSON,)),
        (json.dumps({**ORDER, "price": "100000\n"}).encode(), (JSON,)),
        (json.dumps({**ORDER, "extra": 1}).encode(), (JSON,)),
        (b"not json", (JSON,)),
        (json.dumps(ORDER).encode(), ((b"content-type", b"text/plain"),)),
        (json.dumps(ORDER).encode(), ()),
    ],
)
async def test_what_only_fastapi_explains_is_declined(
    api: Api, body: bytes, headers: tuple[tuple[bytes, bytes], ...]
) -> None:
    await api.fund("alice", "AED", "1000")
    answer = await _direct(api, "POST", "/v1/orders", _who("alice"), body, headers=headers)
    assert answer is None
    assert api.local.submitted[-1].__class__.__name__ == "TransferIn"  # nothing placed


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        (None, 401, "UNAUTHENTICATED"),
        (_who("bob", verified=False), 403, "EMAIL_NOT_VERIFIED"),
        (_who("bob", scopes={"read"}), 403, "API_KEY_SCOPE_MISSING"),
    ],
)
async def test_the_routes_checks_apply_to_the_gateways_identity(
    api: Api, who: Identity | None, status: int, code: str
) -> None:
    await api.fund("bob", "AED", "1000")
    with pytest.raises(BurencyError) as refused:
        await _direct(api, "POST", "/v1/orders", who, json.dumps(ORDER).encode())
    assert (refused.value.status, refused.value.code) == (status, code)
    with pytest.raises(BurencyError) as cancel_refused:
        await _direct(api, "DELETE", "/v1/orders/1", who)
    assert (cancel_refused.value.status, cancel_refused.value.code) == (status, code)
    keyed = await _direct(
        api, "POST", "/v1/orders", _who("bob", scopes={"trade"}), json.dumps(ORDER).encode()
    )
    assert keyed is not None
    assert keyed.status == 201


async def test_a_cancel_answers_as_the_apps_route_and_only_for_the_owner(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    placed = [(await api.place("alice", **ORDER)).json()["orderId"] for _ in range(2)]
    path = f"/v1/orders/{placed[0]}"
    with pytest.raises(BurencyError) as not_yours:
        await _direct(api, "DELETE", path, _who("mallory"))
    assert (not_yours.value.status, not_yours.value.code) == (404, "ORDER_NOT_FOUND")
    direct = await _direct(api, "DELETE", path, _who("alice"), query=b"symbol=BTC/AED")
    app = await api.client.delete(f"/v1/orders/{placed[1]}", headers=api.headers("alice"))
    assert direct is not None
    assert (direct.status, app.status_code) == (200, 200)
    answer = json.loads(direct.body)
    assert answer["status"] == "CANCELED"
    assert _comparable(answer) == _comparable(app.json())
    assert list(answer) == list(app.json())


@pytest.mark.parametrize("query", [b"symbol=BTC/AED&symbol=ETH/AED", b"other=1", b"symbol="])
async def test_an_unusual_cancel_is_declined(api: Api, query: bytes) -> None:
    assert await _direct(api, "DELETE", "/v1/orders/7", _who("alice"), query=query) is None
    assert await _direct(api, "DELETE", "/v1/orders/007", _who("alice")) is None


async def test_a_full_engine_queue_is_a_503_with_retry_after(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    api.local.busy = busy(2.5)
    with pytest.raises(BurencyError) as full:
        await _direct(api, "POST", "/v1/orders", _who("alice"), json.dumps(ORDER).encode())
    assert (full.value.status, full.value.code) == (503, "ENGINE_BUSY")
    assert full.value.headers["Retry-After"] == "3"
