"""POST /v1/orders has two handlers (entrypoints/http/placing.py): msgspec for plain JSON
bodies, FastAPI's for everything else. Both must answer alike, and the fast one must
never accept what FastAPI refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .support import Api

ORDER = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
         "quantity": "0.001", "price": "100000"}  # fmt: skip
SNAKE = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "time_in_force": "GTC",
         "quantity": "0.001", "price": "100000"}  # fmt: skip


VARYING = {"orderId", "time", "updateTime", "transactTime", "clientOrderId"}


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in VARYING}


async def _post(api: Api, body: bytes, content_type: str, **extra: str) -> Any:
    headers = {**api.headers("alice"), "Content-Type": content_type, **extra}
    return await api.client.post("/v1/orders", content=body, headers=headers)


async def test_both_handlers_answer_the_same_order_alike(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    fast = await _post(api, json.dumps(ORDER).encode(), "application/json")
    slow = await _post(api, json.dumps(SNAKE).encode(), "application/json")  # pydantic only
    assert (fast.status_code, slow.status_code) == (201, 201)
    assert fast.headers["content-type"] == slow.headers["content-type"]
    assert _comparable(fast.json()) == _comparable(slow.json())
    assert list(fast.json()) == list(slow.json())  # the same fields in the same order


async def test_idempotent_replay_through_the_fast_handler(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    body = json.dumps(ORDER).encode()
    first = await _post(api, body, "application/json", **{"Idempotency-Key": "k-1"})
    again = await _post(api, body, "application/json; charset=utf-8", **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["orderId"] == first.json()["orderId"]
    bad = await _post(api, body, "application/json", **{"Idempotency-Key": "not valid!"})
    assert (bad.status_code, bad.json()["code"]) == (400, "INVALID_IDEMPOTENCY_KEY")


@pytest.mark.parametrize(
    "change",
    [
        {"price": "100000\n"},  # "$" would match before a final newline: \Z does not
        {"quantity": "1e-3"},
        {"newClientOrderId": "has space"},
        {"symbol": "X" * 33},
        {"side": "buy"},
        {"extra": 1},
    ],
)
async def test_what_fastapi_refuses_stays_refused(api: Api, change: dict[str, Any]) -> None:
    await api.fund("alice", "AED", "1000")
    answer = await _post(api, json.dumps({**ORDER, **change}).encode(), "application/json")
    assert answer.status_code == 422, answer.text


async def test_checks_come_before_the_body_on_both_handlers(api: Api) -> None:
    # (a body that is not JSON at all is FastAPI's 422 before any check, as it always was)
    for body in (json.dumps(ORDER).encode(), json.dumps({**ORDER, "side": "buy"}).encode()):
        anonymous = await api.client.post(
            "/v1/orders", content=body, headers={"Content-Type": "application/json"}
        )
        assert anonymous.status_code == 401
        unverified = await api.client.post(
            "/v1/orders",
            content=body,
            headers={**api.headers("bob", verified=False), "Content-Type": "application/json"},
        )
        assert (unverified.status_code, unverified.json()["code"]) == (403, "EMAIL_NOT_VERIFIED")
        no_scope = await api.client.post(
            "/v1/orders",
            content=body,
            headers={**api.headers("bob", scopes={"read"}), "Content-Type": "application/json"},
        )
        assert (no_scope.status_code, no_scope.json()["code"]) == (403, "API_KEY_SCOPE_MISSING")
