"""DELETE /v1/orders/{orderId} has two handlers (entrypoints/http/cancelling.py): a light
one for plain cancels, FastAPI's for everything else. Both answer alike; the light one
never accepts what FastAPI refuses."""

from __future__ import annotations

from typing import Any

import pytest

from .support import Api

ORDER = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "quantity": "0.001",
         "price": "100000"}  # fmt: skip


async def _resting(api: Api) -> int:
    placed = await api.place("alice", **ORDER)
    assert placed.status_code == 201, placed.text
    return int(placed.json()["orderId"])


async def _cancel(api: Api, target: str, **headers: str) -> Any:
    return await api.client.delete(target, headers={**api.headers("alice"), **headers})


async def test_both_handlers_cancel_alike(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    light = await _cancel(api, f"/v1/orders/{await _resting(api)}?symbol=BTC/AED")
    heavy_id = await _resting(api)  # a repeated parameter is FastAPI's (the last one wins)
    heavy = await _cancel(api, f"/v1/orders/{heavy_id}?symbol=X&symbol=BTC/AED")
    assert (light.status_code, heavy.status_code) == (200, 200)
    assert light.headers["content-type"] == heavy.headers["content-type"]
    varying = {"orderId", "time", "updateTime"}
    assert {k: v for k, v in light.json().items() if k not in varying} == {
        k: v for k, v in heavy.json().items() if k not in varying
    }
    assert list(light.json()) == list(heavy.json())
    assert light.json()["status"] == "CANCELED"


async def test_leading_zeros_are_fastapis_and_still_cancel(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    order_id = await _resting(api)
    answer = await _cancel(api, f"/v1/orders/00{order_id}")
    assert (answer.status_code, answer.json()["orderId"]) == (200, order_id)


async def test_gone_and_unknown_orders_are_404(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    order_id = await _resting(api)
    assert (await _cancel(api, f"/v1/orders/{order_id}")).status_code == 200
    for target in (f"/v1/orders/{order_id}", "/v1/orders/999999", "/v1/orders/999999?symbol="):
        again = await _cancel(api, target)
        assert again.status_code in (404, 422), again.text
        if again.status_code == 404:
            assert again.json()["code"] == "ORDER_NOT_FOUND"


@pytest.mark.parametrize(
    "target", ["/v1/orders/0", f"/v1/orders/{2**63}", f"/v1/orders/1?symbol={'X' * 33}"]
)
async def test_what_fastapi_refuses_stays_refused(api: Api, target: str) -> None:
    assert (await _cancel(api, target)).status_code == 422


async def test_checks_run_on_the_light_handler(api: Api) -> None:
    anonymous = await api.client.delete("/v1/orders/1")
    assert anonymous.status_code == 401
    unverified = await api.client.delete("/v1/orders/1", headers=api.headers("bob", verified=False))
    assert (unverified.status_code, unverified.json()["code"]) == (403, "EMAIL_NOT_VERIFIED")
    no_scope = await api.client.delete("/v1/orders/1", headers=api.headers("bob", scopes={"read"}))
    assert (no_scope.status_code, no_scope.json()["code"]) == (403, "API_KEY_SCOPE_MISSING")
