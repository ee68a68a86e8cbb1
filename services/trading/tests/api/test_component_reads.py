"""Through the real component (engine runner thread, journal, projection fed after the
acknowledgement): a read right after a write sees it. A filled order leaves the engine
at once but reaches the history a moment later; the API waits for the projection to
catch up instead of answering 404."""

from __future__ import annotations

from pathlib import Path

import httpx

from burency_common.bus.memory import InMemoryBus
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now
from burency_trading.component import build_component
from burency_trading.domain.model import TransferIn
from burency_trading.settings import TradingSettings

from .support import SECRET

BUY = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "quantity": "0.001",
       "price": "200000"}  # fmt: skip


def headers(user_id: str) -> dict[str, str]:
    identity = Identity(user_id, roles=frozenset({"user"}), email_verified=True)
    return {IDENTITY_HEADER: sign_identity(identity, secret=SECRET, now=utc_now())}


async def test_a_filled_order_is_readable_at_once(tmp_path: Path) -> None:
    settings = TradingSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'trading.db'}",
        journal_dir=tmp_path / "journal",
    )
    component = build_component(settings, identity_secret=SECRET)
    await component.start(InMemoryBus())
    try:
        await component.handle.submit(TransferIn("fund-a", "alice", "BTC", 10**8))
        await component.handle.submit(TransferIn("fund-b", "bob", "AED", 10**8))
        transport = httpx.ASGITransport(app=component.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://trading") as client:
            sell = {**BUY, "side": "SELL", "quantity": "0.1"}
            placed = await client.post("/v1/orders", json=sell, headers=headers("alice"))
            assert placed.status_code == 201, placed.text
            for _ in range(20):
                bought = await client.post("/v1/orders", json=BUY, headers=headers("bob"))
                assert bought.json()["status"] == "FILLED"
                order_id = bought.json()["orderId"]
                got = await client.get(f"/v1/orders/{order_id}", headers=headers("bob"))
                assert got.status_code == 200, got.text
                assert got.json()["status"] == "FILLED"
                history = await client.get("/v1/order-history?limit=1", headers=headers("bob"))
                assert history.json()["items"][0]["orderId"] == order_id
            trades = await client.get("/v1/my-trades?limit=100", headers=headers("alice"))
            assert len(trades.json()["items"]) == 20
    finally:
        await component.stop()
