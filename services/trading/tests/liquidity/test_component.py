"""Through the real component (engine runner thread, journal, projection) with market
data on, as embedded mode will run it: the simulated venue's prices reach every market
and, once its wallet is funded (here straight into the engine; the platform funds it
through banking), the bot fills every book on both sides within seconds."""

from __future__ import annotations

from pathlib import Path

import httpx

from burency_common.bus.memory import InMemoryBus
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now
from burency_testing.waiting import eventually
from burency_trading.component import TradingComponent, build_component
from burency_trading.domain.model import TransferIn
from burency_trading.settings import TradingSettings

SECRET = b"trading-marketdata-component-tests-secret-012345"
MARKETS = ["BTC/AED", "BTC/USDT", "ETH/USDT", "ETH/AED", "USDT/AED"]


def _admin() -> dict[str, str]:
    identity = Identity("boss", roles=frozenset({"admin"}), email_verified=True)
    return {IDENTITY_HEADER: sign_identity(identity, secret=SECRET, now=utc_now())}


async def test_sources_and_the_bot_fill_every_book(tmp_path: Path) -> None:
    settings = TradingSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'trading.db'}",
        journal_dir=tmp_path / "journal",
        marketdata_enabled=True,
        marketdata_interval_seconds=0.2,
        liquidity_bot_interval_seconds=0.2,
    )
    made: list[TradingComponent] = []

    async def fund() -> None:
        amounts = {"AED": 10**9, "BTC": 10**8, "ETH": 10**10, "USDT": 10**12}
        for asset, amount in amounts.items():
            await made[0].handle.submit(TransferIn(f"bot-{asset}", "liquidity-bot", asset, amount))

    component = build_component(settings, identity_secret=SECRET, fund_liquidity_bot=fund)
    made.append(component)
    await component.start(InMemoryBus())
    try:

        async def books_full() -> bool:
            depths = await component.handle.query(
                lambda e: [e.depth(symbol, 10) for symbol in MARKETS]
            )
            return all(len(bids) == 5 and len(asks) == 5 for bids, asks in depths)

        await eventually(books_full, "five levels a side in every market", timeout=20)
        transport = httpx.ASGITransport(app=component.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://trading") as client:
            sources = await client.get("/v1/admin/market-data/sources", headers=_admin())
            rows = sources.json()["items"]
            assert [row["symbol"] for row in rows] == sorted(MARKETS)
            assert all(row["source"] == "simulated" and not row["stale"] for row in rows)
            bot = (await client.get("/v1/admin/liquidity-bot", headers=_admin())).json()
            assert (bot["running"], bot["funded"]) == (True, True)
            assert all(len(m["bids"]) == len(m["asks"]) == 5 for m in bot["markets"])
    finally:
        await component.stop()
