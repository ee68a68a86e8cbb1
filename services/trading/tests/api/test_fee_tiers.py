"""Fee tiers from 30-day volume: counted as maker and taker, USDT volume converted at the
USDT/AED last price, applied to the engine (new rates), and lowered again when the
volume leaves the window."""

from __future__ import annotations

from datetime import timedelta

from burency_common.timeutil import ManualClock, utc_now
from burency_trading.service.fees import refresh_fee_tiers, tier_for, to_volume_asset

from .support import Api


async def trade(api: Api, symbol: str, qty: str, price: str, seller: str, buyer: str) -> None:
    sell = await api.place(seller, symbol=symbol, side="SELL", type="LIMIT", quantity=qty,
                           price=price)  # fmt: skip
    assert sell.status_code == 201, sell.text
    buy = await api.place(buyer, symbol=symbol, side="BUY", type="LIMIT", quantity=qty,
                          price=price)  # fmt: skip
    assert buy.json()["status"] == "FILLED", buy.text


async def test_volume_raises_and_lowers_the_tier(api: Api) -> None:
    await api.fund("alice", "BTC", "10")
    await api.fund("bob", "AED", "1000000")
    await api.fund("carol", "BTC", "10")
    await api.fund("dave", "USDT", "1000000")
    await trade(api, "BTC/AED", "3", "200000", "alice", "bob")  # 600,000 AED each
    await trade(api, "BTC/USDT", "3", "50000", "carol", "dave")  # 150,000 USDT each
    first = {c.user_id: (c.old_tier, c.new_tier) for c in await refresh_fee_tiers(api.ctx)}
    assert first == {"alice": (0, 1), "bob": (0, 1)}  # USDT has no AED price yet
    assert (await api.get("/v1/fee-tier", "carol")).json()["tier"] == 0

    await api.fund("erin", "USDT", "100")
    await api.fund("frank", "AED", "1000")
    await trade(api, "USDT/AED", "10", "3.6725", "erin", "frank")
    changes = {c.user_id: (c.old_tier, c.new_tier) for c in await refresh_fee_tiers(api.ctx)}
    assert changes == {"carol": (0, 1), "dave": (0, 1)}  # 150,000 USDT = 550,875 AED
    tier = (await api.get("/v1/fee-tier", "alice")).json()
    assert tier["tier"] == 1
    assert {m["symbol"]: m["makerFee"] for m in tier["markets"]}["BTC/AED"] == "0.0008"
    assert await refresh_fee_tiers(api.ctx) == []  # nothing changed: nothing submitted

    api.ctx.clock = ManualClock(utc_now() + timedelta(days=31))  # the trades left the window
    lowered = {c.user_id: c.new_tier for c in await refresh_fee_tiers(api.ctx)}
    assert lowered == {"alice": 0, "bob": 0, "carol": 0, "dave": 0}
    assert (await api.get("/v1/fee-tier", "alice")).json()["tier"] == 0


def test_tier_thresholds_and_conversions(api: Api) -> None:
    thresholds = [(100, 1), (1_000, 2)]
    assert [tier_for(v, thresholds) for v in (0, 99, 100, 999, 1_000, 10**9)] == [0, 0, 1, 1, 2, 2]
    prices = {"USDT/AED": 36_725}  # 3.6725 AED in ticks of 0.0001
    assert to_volume_asset(api.ctx, "AED", 123, prices) == 123
    assert to_volume_asset(api.ctx, "USDT", 1_000_000, prices) == 367  # 1 USDT → 3.67 AED
    assert to_volume_asset(api.ctx, "USDT", 1_000_000, {}) is None
    assert to_volume_asset(api.ctx, "BTC", 1, prices) is None
