"""Staff routes: halting, cancel-only and resuming a market, changing its fees,
cancelling a user's orders, the engine's health and the fee schedule; each change is
audited; users, support staff (for changes) and API keys are refused."""

from __future__ import annotations

from collections.abc import Mapping

from .support import Api

ORDER = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "quantity": "0.001",
         "price": "100000"}  # fmt: skip


class Recorder:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, dict[str, object]]] = []

    async def record(
        self, *, actor: str, action: str, target: str, details: Mapping[str, object]
    ) -> None:
        self.entries.append((actor, action, target, dict(details)))


async def test_halt_cancel_only_and_resume(api: Api) -> None:
    audit = api.ctx.audit = Recorder()
    await api.fund("alice", "AED", "1000")
    placed = (await api.place("alice", **ORDER)).json()
    admin = api.headers("boss", roles={"admin"})

    async def status(value: str) -> int:
        answer = await api.client.put(
            "/v1/admin/markets/BTCAED/status", json={"status": value}, headers=admin
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == value
        return answer.status_code

    await status("HALTED")
    halted = await api.place("alice", **ORDER)
    assert halted.status_code == 409
    assert halted.json()["code"] == "MARKET_HALTED"
    cancel = await api.client.delete(
        f"/v1/orders/{placed['orderId']}", headers=api.headers("alice")
    )
    assert cancel.json()["code"] == "MARKET_HALTED"
    await status("CANCEL_ONLY")
    assert (await api.place("alice", **ORDER)).json()["code"] == "MARKET_CANCEL_ONLY"
    cancel = await api.client.delete(
        f"/v1/orders/{placed['orderId']}", headers=api.headers("alice")
    )
    assert cancel.status_code == 200
    await status("TRADING")
    assert (await api.place("alice", **ORDER)).status_code == 201
    markets = {m["symbol"]: m for m in (await api.client.get("/v1/markets")).json()["items"]}
    assert markets["BTC/AED"]["status"] == "TRADING"
    assert [(a, act, t) for a, act, t, _ in audit.entries] == [
        ("boss", "market.status", "BTC/AED")
    ] * 3


async def test_fees_change_and_show_in_the_fee_tier(api: Api) -> None:
    admin = api.headers("boss", roles={"admin"})
    answer = await api.client.put(
        "/v1/admin/markets/ETHAED/fees", json={"makerFee": "0.0005", "takerFee": "0.002"},
        headers=admin,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert (answer.json()["makerFee"], answer.json()["takerFee"]) == ("0.0005", "0.002")
    tier = (await api.get("/v1/fee-tier", "alice")).json()
    rates = {m["symbol"]: (m["makerFee"], m["takerFee"]) for m in tier["markets"]}
    assert rates["ETH/AED"] == ("0.0005", "0.002")
    assert rates["BTC/AED"] == ("0.001", "0.001")
    assert tier["tier"] == 0
    assert tier["volumeAsset"] == "AED"
    assert tier["tiers"][0] == {"tier": 1, "minVolume": "500000", "makerFee": "0.0008",
                                "takerFee": "0.001"}  # fmt: skip
    too_high = await api.client.put(
        "/v1/admin/markets/ETHAED/fees", json={"makerFee": "-0.0001", "takerFee": "0.002"},
        headers=admin,
    )  # fmt: skip
    assert too_high.status_code == 422
    assert too_high.json()["code"] == "FEE_RATE_OUT_OF_RANGE"
    unknown = await api.client.put(
        "/v1/admin/markets/DOGEAED/fees", json={"makerFee": "0", "takerFee": "0"}, headers=admin
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "MARKET_UNKNOWN"


async def test_cancel_a_users_orders(api: Api) -> None:
    await api.fund("alice", "AED", "1000")
    ids = [(await api.place("alice", **ORDER)).json()["orderId"] for _ in range(2)]
    answer = await api.client.delete(
        "/v1/admin/users/alice/open-orders", headers=api.headers("boss", roles={"admin"})
    )
    assert answer.status_code == 200
    assert [(o["orderId"], o["status"]) for o in answer.json()["items"]] == [
        (i, "CANCELED") for i in ids
    ]
    assert (await api.get("/v1/open-orders", "alice")).json()["items"] == []


async def test_health_and_fee_schedule_for_support(api: Api) -> None:
    support = api.headers("helper", roles={"support"})
    health = await api.client.get("/v1/admin/engine", headers=support)
    assert health.status_code == 200
    assert health.json()["state"] == "running"
    schedule = await api.client.get("/v1/admin/fee-schedule", headers=support)
    assert schedule.status_code == 200
    assert len(schedule.json()["markets"]) == 5
    assert [t["tier"] for t in schedule.json()["tiers"]] == [1, 2, 3]


async def test_the_audit_log_keeps_every_staff_change(api: Api) -> None:
    admin = api.headers("boss", roles={"admin"})
    for status in ("HALTED", "TRADING"):
        answer = await api.client.put(
            "/v1/admin/markets/BTCAED/status", json={"status": status}, headers=admin
        )
        assert answer.status_code == 200
    fees = {"makerFee": "0.0005", "takerFee": "0.002"}
    assert (
        await api.client.put("/v1/admin/markets/ETHAED/fees", json=fees, headers=admin)
    ).status_code == 200
    await api.client.delete("/v1/admin/users/alice/open-orders", headers=admin)

    listed = await api.client.get("/v1/admin/audit", headers=admin)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(i["actorId"], i["action"], i["target"]) for i in items] == [
        ("boss", "orders.cancel_all", "alice"),
        ("boss", "market.fees", "ETH/AED"),
        ("boss", "market.status", "BTC/AED"),
        ("boss", "market.status", "BTC/AED"),
    ]
    assert items[1]["details"] == {"makerFee": "0.0005", "takerFee": "0.002"}
    assert items[0]["createdAt"].endswith("Z")
    first = await api.client.get("/v1/admin/audit?limit=3", headers=admin)
    rest = await api.client.get(
        f"/v1/admin/audit?limit=3&cursor={first.json()['nextCursor']}", headers=admin
    )
    assert [i["id"] for i in first.json()["items"] + rest.json()["items"]] == [
        i["id"] for i in items
    ]
    only_btc = await api.client.get("/v1/admin/audit?target=BTC/AED", headers=admin)
    assert [i["target"] for i in only_btc.json()["items"]] == ["BTC/AED", "BTC/AED"]
    bad = await api.client.get("/v1/admin/audit?cursor=not-an-id", headers=admin)
    assert bad.status_code == 422


async def test_staff_only(api: Api) -> None:
    cases = [
        ("GET", "/v1/admin/engine", None),
        ("GET", "/v1/admin/fee-schedule", None),
        ("PUT", "/v1/admin/markets/BTCAED/status", {"status": "HALTED"}),
        ("PUT", "/v1/admin/markets/BTCAED/fees", {"makerFee": "0", "takerFee": "0"}),
        ("DELETE", "/v1/admin/users/alice/open-orders", None),
        ("GET", "/v1/admin/audit", None),
    ]
    for method, path, body in cases:
        for headers in (
            api.headers("alice"),
            api.headers("boss", roles={"admin"}, scopes={"read", "trade"}),  # an API key
        ):
            answer = await api.client.request(method, path, json=body, headers=headers)
            assert answer.status_code == 403, (method, path)
        assert (await api.client.request(method, path, json=body)).status_code == 401
    support = api.headers("helper", roles={"support"})
    halt = await api.client.put(
        "/v1/admin/markets/BTCAED/status", json={"status": "HALTED"}, headers=support
    )
    assert halt.status_code == 403
    markets = {m["symbol"]: m for m in (await api.client.get("/v1/markets")).json()["items"]}
    assert markets["BTC/AED"]["status"] == "TRADING"
