"""Every refusal of an order has its stable code and HTTP status: 422 for a request that
can never succeed as written, 409 for one the market, book or balance refuses now."""

from __future__ import annotations

from typing import Any

import pytest

from burency_trading.domain.model import OrderType, PlaceOrder, Reject, Side
from burency_trading.service.errors import rejected

from .support import Api

LIMIT = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "quantity": "0.01",
         "price": "200000"}  # fmt: skip


def order(**changes: Any) -> dict[str, Any]:
    body = {**LIMIT, **changes}
    return {k: v for k, v in body.items() if v is not None}


INVALID = [
    ("PRICE_NOT_ON_TICK", order(price="200000.001"), "price"),
    ("QUANTITY_NOT_ON_LOT", order(quantity="0.000001"), "quantity"),
    (
        "AMOUNT_PRECISION_EXCEEDED",
        order(type="MARKET", price=None, quantity=None, quoteOrderQty="10.001"),
        "quoteOrderQty",
    ),
    ("NEGATIVE_AMOUNT", order(quantity="-1"), "quantity"),
    ("AMOUNT_TOO_LARGE", order(quantity="1" + "0" * 25), "quantity"),
    ("MARKET_UNKNOWN", order(symbol="DOGE/AED"), "symbol"),
    ("INVALID_ORDER", order(price=None), "price"),
    ("INVALID_ORDER", order(type="MARKET"), "price"),
    ("INVALID_ORDER", order(type="MARKET", price=None, quoteOrderQty="100"), "quantity"),
    ("INVALID_ORDER", order(stopPrice="1"), "stopPrice"),
    ("INVALID_ORDER", order(type="STOP_LIMIT"), "stopPrice"),
    ("INVALID_ORDER", order(type="LIMIT_MAKER", timeInForce="IOC"), "timeInForce"),
    ("INVALID_ORDER", order(price="0"), "price"),
    ("INVALID_ORDER", order(quoteOrderQty="1"), "quoteOrderQty"),
    ("INVALID_ORDER", order(quantity="0"), "quantity"),
    ("QUANTITY_TOO_LARGE", order(quantity="1001"), None),
    ("NOTIONAL_TOO_SMALL", order(quantity="0.00001", price="100"), None),
    ("INVALID_ORDER", order(type="MARKET", price=None, timeInForce="FOK"), None),
    (
        "INVALID_ORDER",
        order(type="STOP_MARKET", price=None, stopPrice="1", quantity=None, quoteOrderQty=None),
        "quantity",
    ),
]


@pytest.mark.parametrize(("code", "body", "field"), INVALID)
async def test_invalid_orders_are_422_with_their_code(
    api: Api, code: str, body: dict[str, Any], field: str | None
) -> None:
    await api.fund("alice", "AED", "1000000")
    answer = await api.place("alice", **body)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == code
    assert answer.headers["content-type"].startswith("application/problem+json")
    if field is not None:
        assert problem["errors"][0]["field"] == field
    assert (await api.get("/v1/open-orders", "alice")).json()["items"] == []


async def test_schema_errors_are_422_validation_failed(api: Api) -> None:
    for body in (order(side="HOLD"), order(type="ICEBERG"), order(price="1e5"),
                 order(newClientOrderId="has space"), {**LIMIT, "extra": 1}):  # fmt: skip
        answer = await api.place("alice", **body)
        assert answer.status_code == 422, body
        assert answer.json()["code"] == "VALIDATION_FAILED"


async def test_refusals_of_the_moment_are_409(api: Api) -> None:
    await api.fund("rich", "BTC", "10")
    await api.fund("rich", "AED", "10000000")
    await api.fund("poor", "AED", "1")
    assert (await api.place("rich", **order(side="SELL", quantity="1"))).status_code == 201

    async def refused(user: str, **body: Any) -> str:
        answer = await api.place(user, **body)
        assert answer.status_code == 409, answer.text
        return str(answer.json()["code"])

    assert await refused("poor", **order(quantity="0.001", price="190000")) == (
        "INSUFFICIENT_BALANCE"
    )
    assert await refused("rich", **order(type="LIMIT_MAKER", price="200000")) == (
        "POST_ONLY_WOULD_TAKE"
    )
    assert await refused("rich", **order(quantity="2", timeInForce="FOK")) == "FOK_NOT_FILLABLE"
    assert await refused("rich", **order(symbol="ETH/AED", type="MARKET", price=None)) == (
        "NO_LIQUIDITY"
    )
    await api.fund("buyer", "AED", "100000")
    traded = await api.place("buyer", **order(quantity="0.1"))  # the last price: 200000
    assert traded.json()["status"] == "FILLED"
    stop = order(type="STOP_LIMIT", stopPrice="210000", side="SELL", price="210000")
    assert await refused("rich", **stop) == "STOP_WOULD_TRIGGER_IMMEDIATELY"
    assert (await api.place("rich", **order(price="100000"))).json()["code"] == (
        "ORDER_PRICE_OUT_OF_BAND"
    )


async def test_too_many_open_orders(api: Api) -> None:
    await api.fund("alice", "AED", "10000000")
    for i in range(200):  # straight to the engine: 200 HTTP round trips say nothing more
        await api.local.submit(
            PlaceOrder("alice", "BTC/AED", Side.BUY, OrderType.LIMIT, qty=100, price=10**7 + i)
        )
    answer = await api.place("alice", **order(price="190000"))
    assert answer.status_code == 409
    assert answer.json()["code"] == "TOO_MANY_OPEN_ORDERS"


async def test_quantity_below_the_markets_minimum(make_api: Any) -> None:
    market = {"symbol": "BTC/AED", "base": "BTC", "quote": "AED", "tick_size": "0.01",
              "lot_size": "0.00001", "min_qty": "0.001", "max_qty": "10",
              "min_notional": "10"}  # fmt: skip
    api = await make_api(markets=[market])
    await api.fund("alice", "AED", "1000000")
    answer = await api.place("alice", **order(quantity="0.0005"))
    assert answer.status_code == 422
    assert answer.json()["code"] == "QUANTITY_TOO_SMALL"
    markets = (await api.client.get("/v1/markets")).json()["items"]
    assert [(m["symbol"], m["minQty"], m["maxQty"]) for m in markets] == [
        ("BTC/AED", "0.00100", "10.00000")
    ]


def test_every_rejection_code_has_its_own_status() -> None:
    """A new Reject code must be given a status in service/errors.py (else it would
    reach clients as INVALID_ORDER)."""
    statuses = {str(reason): rejected(reason).status for reason in Reject}
    assert all(rejected(code).code == code for code in statuses)
    assert statuses["INSUFFICIENT_BALANCE"] == 409
    assert statuses["ORDER_NOT_FOUND"] == 404
    assert statuses["ORDER_PRICE_OUT_OF_BAND"] == 422
