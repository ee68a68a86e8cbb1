"""Placing, reading, cancelling and amending orders over HTTP, against the real engine."""

from __future__ import annotations

from .support import Api


async def test_limit_order_rests_then_fills_with_fees(api: Api) -> None:
    await api.fund("alice", "BTC", "1")
    await api.fund("bob", "AED", "100000")
    sell = await api.place(
        "alice", symbol="BTC/AED", side="SELL", type="LIMIT", quantity="0.5", price="200000",
        newClientOrderId="ask-1",
    )  # fmt: skip
    assert sell.status_code == 201, sell.text
    ask = sell.json()
    assert ask["status"] == "NEW"
    assert ask["fills"] == []
    assert ask["symbol"] == "BTC/AED"
    assert ask["clientOrderId"] == "ask-1"
    assert ask["origQty"] == "0.50000"
    assert ask["price"] == "200000.00"
    assert isinstance(ask["orderId"], int)
    assert ask["timeInForce"] == "GTC"

    buy = await api.place(
        "bob", symbol="BTCAED", side="BUY", type="LIMIT", quantity="0.2", price="200000"
    )
    assert buy.status_code == 201, buy.text
    body = buy.json()
    assert body["status"] == "FILLED"
    assert body["executedQty"] == "0.20000"
    assert body["cummulativeQuoteQty"] == "40000.00"
    assert body["fills"] == [
        {"tradeId": body["fills"][0]["tradeId"], "price": "200000.00", "qty": "0.20000",
         "quoteQty": "40000.00", "commission": "40.00", "commissionAsset": "AED",
         "isMaker": False}
    ]  # fmt: skip

    got = await api.get(f"/v1/orders/{ask['orderId']}", "alice")
    assert got.status_code == 200
    assert got.json()["status"] == "PARTIALLY_FILLED"
    assert got.json()["executedQty"] == "0.20000"

    balances = {b["asset"]: b for b in (await api.get("/v1/balances", "bob")).json()["items"]}
    assert balances["BTC"] == {"asset": "BTC", "free": "0.20000000", "locked": "0.00000000"}
    assert balances["AED"]["free"] == "59960.00"
    assert balances["AED"]["locked"] == "0.00"
    alice = {b["asset"]: b for b in (await api.get("/v1/balances", "alice")).json()["items"]}
    assert alice["BTC"] == {"asset": "BTC", "free": "0.50000000", "locked": "0.30000000"}

    mine = (await api.get("/v1/my-trades", "alice")).json()["items"]
    assert [(t["side"], t["isMaker"], t["qty"], t["commission"]) for t in mine] == [
        ("SELL", True, "0.20000", "40.00")
    ]
    assert (await api.get("/v1/my-trades", "bob", symbol="ETH/AED")).json()["items"] == []


async def test_cancel_amend_and_open_orders(api: Api) -> None:
    await api.fund("alice", "AED", "10000")
    ids = []
    for price in ("100", "101", "102"):
        placed = await api.place(
            "alice", symbol="BTC/AED", side="BUY", type="LIMIT", quantity="1", price=price,
            newClientOrderId=f"bid-{price}",
        )  # fmt: skip
        assert placed.status_code == 201, placed.text
        ids.append(placed.json()["orderId"])
    h = api.headers("alice")
    open_ = (await api.get("/v1/open-orders", "alice", symbol="BTC/AED")).json()["items"]
    assert [o["orderId"] for o in open_] == ids

    amended = await api.client.patch(f"/v1/orders/{ids[0]}", json={"quantity": "0.4"}, headers=h)
    assert amended.status_code == 200, amended.text
    assert amended.json()["origQty"] == "0.40000"
    assert amended.json()["status"] == "NEW"
    bigger = await api.client.patch(f"/v1/orders/{ids[0]}", json={"quantity": "2"}, headers=h)
    assert bigger.status_code == 422
    assert bigger.json()["code"] == "AMEND_NOT_A_DECREASE"

    cancelled = await api.client.delete(f"/v1/orders/{ids[0]}", headers=h)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "CANCELED"
    again = await api.client.delete(f"/v1/orders/{ids[0]}", headers=h)
    assert again.status_code == 404
    assert again.json()["code"] == "ORDER_NOT_FOUND"
    history = await api.get(f"/v1/orders/{ids[0]}", "alice")
    assert history.status_code == 200
    assert history.json()["status"] == "CANCELED"

    by_client = await api.client.delete(
        "/v1/orders", params={"symbol": "BTC/AED", "clientOrderId": "bid-101"}, headers=h
    )
    assert by_client.status_code == 200
    assert by_client.json()["orderId"] == ids[1]
    lookup = await api.get("/v1/orders", "alice", clientOrderId="bid-102")
    assert lookup.status_code == 200
    assert lookup.json()["orderId"] == ids[2]

    all_ = await api.client.delete("/v1/open-orders", headers=h)
    assert all_.status_code == 200
    assert [(o["orderId"], o["status"]) for o in all_.json()["items"]] == [(ids[2], "CANCELED")]
    assert (await api.get("/v1/open-orders", "alice")).json()["items"] == []
    aed = {b["asset"]: b for b in (await api.get("/v1/balances", "alice")).json()["items"]}["AED"]
    assert aed == {"asset": "AED", "free": "10000.00", "locked": "0.00"}

    page1 = await api.get("/v1/order-history", "alice", limit=2)
    assert page1.status_code == 200
    assert len(page1.json()["items"]) == 2
    page2 = await api.get("/v1/order-history", "alice", limit=2, cursor=page1.json()["nextCursor"])
    assert [o["orderId"] for o in page1.json()["items"] + page2.json()["items"]] == ids[::-1]
    bad = await api.get("/v1/order-history", "alice", cursor="nonsense")
    assert bad.status_code == 422
    assert bad.json()["code"] == "INVALID_CURSOR"


async def test_market_orders_by_quantity_and_by_quote_amount(api: Api) -> None:
    await api.fund("maker", "BTC", "1")
    await api.fund("taker", "AED", "100000")
    await api.place("maker", symbol="BTC/AED", side="SELL", type="LIMIT", quantity="0.5",
                    price="200000")  # fmt: skip
    by_qty = await api.place("taker", symbol="BTC/AED", side="BUY", type="MARKET", quantity="0.1")
    assert by_qty.status_code == 201, by_qty.text
    assert by_qty.json()["status"] == "FILLED"
    assert by_qty.json()["type"] == "MARKET"
    by_quote = await api.place(
        "taker", symbol="BTC/AED", side="BUY", type="MARKET", quoteOrderQty="10000"
    )
    assert by_quote.status_code == 201, by_quote.text
    # the amount covers the taker fee too: 0.04995 BTC for 9990.00 AED + 9.99 AED fee
    assert by_quote.json()["executedQty"] == "0.04995"
    assert by_quote.json()["cummulativeQuoteQty"] == "9990.00"
    assert by_quote.json()["commission"] == "9.99"
    assert by_quote.json()["origQuoteOrderQty"] == "10000.00"


async def test_other_users_orders_are_not_found(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    placed = await api.place("alice", symbol="BTC/AED", side="BUY", type="LIMIT",
                             quantity="0.001", price="100000", newClientOrderId="mine")  # fmt: skip
    order_id = placed.json()["orderId"]
    eve = api.headers("eve")
    for response in (
        await api.client.get(f"/v1/orders/{order_id}", headers=eve),
        await api.client.get("/v1/orders", params={"clientOrderId": "mine"}, headers=eve),
        await api.client.delete(f"/v1/orders/{order_id}", headers=eve),
        await api.client.patch(f"/v1/orders/{order_id}", json={"quantity": "0.0005"}, headers=eve),
        await api.client.get("/v1/orders/999999", headers=api.headers("alice")),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "ORDER_NOT_FOUND"
    wrong_market = await api.client.delete(
        f"/v1/orders/{order_id}", params={"symbol": "ETH/AED"}, headers=api.headers("alice")
    )
    assert wrong_market.status_code == 404
    assert (await api.get(f"/v1/orders/{order_id}", "alice")).json()["status"] == "NEW"


async def test_idempotency_key_replays_the_same_order(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    body = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "quantity": "0.001",
            "price": "100000"}  # fmt: skip
    h = {**api.headers("alice"), "Idempotency-Key": "retry-1"}
    first = await api.client.post("/v1/orders", json=body, headers=h)
    assert first.status_code == 201
    assert first.json()["clientOrderId"] == "retry-1"
    second = await api.client.post("/v1/orders", json=body, headers=h)
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json()["orderId"] == first.json()["orderId"]
    changed = await api.client.post("/v1/orders", json={**body, "price": "100001"}, headers=h)
    assert changed.status_code == 409
    assert changed.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len((await api.get("/v1/open-orders", "alice")).json()["items"]) == 1
    bad = await api.client.post(
        "/v1/orders", json=body, headers={**api.headers("alice"), "Idempotency-Key": "a b"}
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "INVALID_IDEMPOTENCY_KEY"
    duplicate = await api.place("alice", **body, newClientOrderId="retry-1")
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "DUPLICATE_CLIENT_ORDER_ID"
