"""A new install has live markets: within seconds of start the liquidity bot quotes both
sides of every market around a moving simulated reference price, funded with demo money
through banking's own deposit and transfer paths (so the cross-service reconciliation
holds), and a user's order fills against it; a restart funds nothing twice."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from burency_platform.liquidity_funding import BOT_USER_ID
from burency_platform.settings import PlatformSettings
from burency_testing.waiting import eventually

from .platform_testing.banking import BANK, admin, fiat_funded, post, sign_in
from .platform_testing.running import running_platform

TRADE = "/api/trading/v1"
SYMBOLS = ("BTCAED", "BTCUSDT", "ETHUSDT", "ETHAED", "USDTAED")


@pytest.fixture
def settings(tmp_path: Path, settings_factory: Any) -> PlatformSettings:
    assert PlatformSettings.model_fields["live_markets"].default is True  # make run's
    built: PlatformSettings = settings_factory(
        PlatformSettings, data_dir=tmp_path / "var", live_markets=True
    )
    return built


async def _depth(client: Any, symbol: str) -> dict[str, Any]:
    answer = await client.get(f"{TRADE}/depth", params={"symbol": symbol, "limit": 5})
    assert answer.status_code == 200, answer.text
    depth: dict[str, Any] = answer.json()
    return depth


async def _every_book_quoted(client: Any) -> bool:
    """Both sides of every market (one request: the public rate limit counts them)."""
    answer = await client.get(f"{TRADE}/ticker/bookTicker")
    assert answer.status_code == 200, answer.text
    quoted = {t["symbol"].replace("/", "") for t in answer.json()
              if Decimal(t["bidQty"] or 0) > 0 and Decimal(t["askQty"] or 0) > 0}  # fmt: skip
    return quoted == set(SYMBOLS)


async def test_the_bot_quotes_every_market_and_a_user_trades_with_it(
    settings: PlatformSettings,
) -> None:
    async with running_platform(settings) as (built, client):
        await eventually(lambda: _every_book_quoted(client), "the bot to quote every market",
                         timeout=90, interval=0.5)  # fmt: skip
        ops = await admin(built, client)
        sources = await client.get(f"{TRADE}/admin/market-data/sources", headers=ops.headers)
        assert sources.status_code == 200, sources.text
        # no trade yet: the chart is the reference source's, and says so
        chart = await client.get(f"{TRADE}/klines", params={"symbol": "BTCAED", "interval": "1m",
                                                            "limit": 30})  # fmt: skip
        assert chart.headers.get("X-Burency-Klines-Source") == "reference"
        rows = chart.json()
        assert len(rows) == 30
        assert all(Decimal(r[3]) <= Decimal(r[1]) <= Decimal(r[2]) for r in rows)  # l <= o <= h
        assert rows == sorted(rows)
        assert rows[-1][0] - rows[0][0] == 29 * 60_000

        buyer = await sign_in(client, "buyer@example.com")
        await fiat_funded(client, buyer, ops, "50000.00")
        moved = await post(client, f"{BANK}/transfers/trading", buyer,
                           {"asset": "AED", "amount": "40000.00"}, key="in")  # fmt: skip
        assert moved.status_code == 202, moved.text

        async def spot_funded() -> bool:
            got = await client.get(f"{TRADE}/balances", headers=buyer.headers)
            return any(b["asset"] == "AED" and b["free"] == "40000.00" for b in got.json()["items"])

        await eventually(spot_funded, "the buyer's AED to reach spot")
        best_ask = (await _depth(client, "BTCAED"))["asks"][0][0]
        body = {"symbol": "BTC/AED", "side": "BUY", "type": "LIMIT", "timeInForce": "IOC",
                "quantity": "0.001", "price": best_ask}  # fmt: skip
        order = await client.post(f"{TRADE}/orders", json=body, headers=buyer.headers)
        assert order.status_code == 201, order.text
        assert (order.json()["status"], order.json()["executedQty"]) == ("FILLED", "0.00100")
        own = await client.get(f"{TRADE}/klines", params={"symbol": "BTCAED", "interval": "1m"})
        assert "X-Burency-Klines-Source" not in own.headers  # traded: its own candles only
        assert [(r[1], r[5]) for r in own.json()] == [(best_ask, "0.00100")]

        async def completed() -> bool:
            got = await client.get(f"{BANK}/transfers/trading/{moved.json()['id']}",
                                   headers=buyer.headers)  # fmt: skip
            return bool(got.json()["status"] == "completed")

        await eventually(completed, "banking to see the buyer's transfer completed")
        report = (await client.get(f"{BANK}/admin/reconciliation", headers=ops.headers)).json()
        assert report["ok"] is True, report["findings"]  # the bot's money entered as deposits
        bot_deposits = await client.get(f"{BANK}/admin/deposits/fiat", headers=ops.headers)
        mine = [d for d in bot_deposits.json()["items"] if d["userId"] == BOT_USER_ID]
        assert [(d["status"], d["amount"]) for d in mine] == [("APPROVED", "1000000.00")]

    state = json.loads((settings.data_dir / "liquidity-bot-funding.json").read_text())
    assert state["done"] is True
    async with running_platform(settings) as (built, client):  # a restart
        await eventually(lambda: _every_book_quoted(client), "the bot to quote again",
                         timeout=90, interval=0.5)  # fmt: skip
        ops = await admin(built, client, email="ops2@example.com")
        again = await client.get(f"{BANK}/admin/deposits/fiat", headers=ops.headers)
        assert len([d for d in again.json()["items"] if d["userId"] == BOT_USER_ID]) == 1
