"""Trading through the whole embedded platform, the way the SPA and a bot use it: money
moves funding → spot through the saga (banking holds, trading credits, banking posts),
two users trade on BTC/AED with fees, each moves money spot → funding again, and the
books of both services agree to the minor unit; a restart of the platform (engine
recovered from its journal) keeps every balance and order."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.waiting import eventually

from .platform_testing import PlatformClient
from .platform_testing.banking import (
    BANK,
    PASSWORD,
    Person,
    admin,
    balance,
    chain,
    fiat_funded,
    post,
    scan,
    sign_in,
)

TRADE = "/api/trading/v1"


@pytest.fixture
def settings(tmp_path: Path, settings_factory: Any) -> PlatformSettings:
    built: PlatformSettings = settings_factory(PlatformSettings, data_dir=tmp_path / "var")
    return built


@pytest.fixture
async def platform(settings: PlatformSettings) -> AsyncIterator[tuple[Platform, httpx.AsyncClient]]:
    async with _running(settings) as running:
        yield running


class _running:  # noqa: N801 - used like a function: ``async with _running(settings)``
    def __init__(self, settings: PlatformSettings) -> None:
        self.built = build_platform(settings)
        self.manager = LifespanManager(self.built, shutdown_timeout=60)

    async def __aenter__(self) -> tuple[Platform, httpx.AsyncClient]:
        app = (await self.manager.__aenter__()).app
        self.client = PlatformClient(
            self.built, transport=httpx.ASGITransport(app=app), base_url="http://burency"
        )
        return self.built, self.client

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await self.manager.__aexit__(*exc)


async def _spot(client: httpx.AsyncClient, who: Person) -> dict[str, tuple[str, str]]:
    response = await client.get(f"{TRADE}/balances", headers=who.headers)
    assert response.status_code == 200, response.text
    return {b["asset"]: (b["free"], b["locked"]) for b in response.json()["items"]}


async def _to_spot(client: httpx.AsyncClient, who: Person, asset: str, amount: str) -> None:
    sent = await post(client, f"{BANK}/transfers/trading", who,
                      {"asset": asset, "amount": amount}, key=f"in-{asset}-{amount}")  # fmt: skip
    assert sent.status_code == 202, sent.text

    async def completed() -> bool:
        got = await client.get(f"{BANK}/transfers/trading/{sent.json()['id']}", headers=who.headers)
        return bool(got.json()["status"] == "completed")

    await eventually(completed, f"banking to see the {asset} transfer to trading completed")


async def _to_funding(client: httpx.AsyncClient, who: Person, asset: str, amount: str) -> None:
    sent = await post(client, f"{TRADE}/transfers/funding", who,
                      {"asset": asset, "amount": amount}, key=f"out-{asset}-{amount}")  # fmt: skip
    assert sent.status_code == 202, sent.text
    assert (sent.json()["status"], sent.json()["direction"]) == ("pending", "trading_to_funding")


async def _order(client: httpx.AsyncClient, who: Person, side: str, qty: str, price: str) -> Any:
    body = {"symbol": "BTC/AED", "side": side, "type": "LIMIT", "timeInForce": "GTC",
            "quantity": qty, "price": price}  # fmt: skip
    placed = await client.post(f"{TRADE}/orders", json=body, headers=who.headers)
    assert placed.status_code == 201, placed.text
    return placed.json()


async def _funded_traders(built: Platform, client: httpx.AsyncClient) -> tuple[Person, Person]:
    ops = await admin(built, client)
    buyer = await sign_in(client, "buyer@example.com")
    seller = await sign_in(client, "seller@example.com")
    await fiat_funded(client, buyer, ops, "10000.00")
    where = {"asset": "BTC", "network": "BTC"}
    got = await client.get(f"{BANK}/deposits/crypto/address", headers=seller.headers, params=where)
    address = got.json()["address"]
    await chain(client, ops, "send", {"address": address, "amount": "0.5"})
    await chain(client, ops, "mine", {"blocks": 6})
    await scan(client, ops)
    assert (await balance(client, seller, "BTC"))["available"] == "0.50000000"
    await _to_spot(client, buyer, "AED", "6000.00")
    await _to_spot(client, seller, "BTC", "0.5")
    return buyer, seller


async def test_funding_to_spot_trade_and_back(platform: Any) -> None:
    built, client = platform
    buyer, seller = await _funded_traders(built, client)
    assert (await _spot(client, buyer))["AED"] == ("6000.00", "0.00")
    assert (await balance(client, buyer, "AED"))["available"] == "4000.00"

    resting = await _order(client, seller, "SELL", "0.1", "50000.00")
    assert resting["status"] == "NEW"
    assert (await _spot(client, seller))["BTC"] == ("0.40000000", "0.10000000")
    taken = await _order(client, buyer, "BUY", "0.1", "50000.00")
    assert (taken["status"], taken["executedQty"], taken["cummulativeQuoteQty"]) == (
        "FILLED", "0.10000", "5000.00")  # fmt: skip
    # 0.1 % taker and maker fees in the quote asset: 5.00 AED each
    assert (await _spot(client, buyer))["AED"] == ("995.00", "0.00")
    assert (await _spot(client, buyer))["BTC"] == ("0.10000000", "0.00000000")
    assert (await _spot(client, seller))["AED"] == ("4995.00", "0.00")

    # another user's order is not found (never "forbidden": its existence is not revealed)
    peek = await client.get(f"{TRADE}/orders/{resting['orderId']}", headers=buyer.headers)
    assert (peek.status_code, peek.json()["code"]) == (404, "ORDER_NOT_FOUND")

    await _to_funding(client, buyer, "BTC", "0.1")
    await _to_funding(client, seller, "AED", "4995.00")

    async def credited() -> bool:
        return (await balance(client, buyer, "BTC"))["available"] == "0.10000000" and (
            await balance(client, seller, "AED"))["available"] == "4995.00"  # fmt: skip

    await eventually(credited, "banking to credit both spot → funding transfers")
    ops = await sign_in(client, "ops@example.com", register=False)
    report = (await client.get(f"{BANK}/admin/reconciliation", headers=ops.headers)).json()
    assert report["ok"] is True, report["findings"]
    assert "trading_matches_clearing" in report["checks"]
    assert "BTC" not in (await _spot(client, buyer)) or (await _spot(client, buyer))["BTC"][0] in (
        "0", "0.00000000")  # fmt: skip
    trades = (await client.get(f"{TRADE}/my-trades", headers=buyer.headers)).json()
    assert [(t["side"], t["qty"], t["price"]) for t in trades["items"]] == [
        ("BUY", "0.10000", "50000.00")]  # fmt: skip


async def test_a_refused_spot_to_funding_transfer_moves_nothing(platform: Any) -> None:
    built, client = platform
    buyer, _ = await _funded_traders(built, client)
    too_much = await post(client, f"{TRADE}/transfers/funding", buyer,
                          {"asset": "AED", "amount": "6000.01"}, key="too-much")  # fmt: skip
    assert (too_much.status_code, too_much.json()["code"]) == (409, "INSUFFICIENT_BALANCE")
    assert (await _spot(client, buyer))["AED"] == ("6000.00", "0.00")
    again = await post(client, f"{TRADE}/transfers/funding", buyer,
                       {"asset": "AED", "amount": "100.00"}, key="k1")  # fmt: skip
    replay = await post(client, f"{TRADE}/transfers/funding", buyer,
                        {"asset": "AED", "amount": "100.00"}, key="k1")  # fmt: skip
    assert (again.json()["replayed"], replay.json()["replayed"]) == (False, True)
    assert again.json()["id"] == replay.json()["id"]
    assert (await _spot(client, buyer))["AED"] == ("5900.00", "0.00")
    # the positions banking reconciles with are for services only, never through the edge
    peek = await client.get(
        f"{TRADE.replace('/v1', '')}/internal/v1/positions", headers=buyer.headers
    )
    assert peek.status_code == 403


async def test_restart_recovers_balances_and_open_orders(settings: PlatformSettings) -> None:
    async with _running(settings) as (built, client):
        buyer, seller = await _funded_traders(built, client)
        resting = await _order(client, seller, "SELL", "0.2", "51000.00")
        await _order(client, buyer, "BUY", "0.05", "51000.00")
        before = (await _spot(client, buyer), await _spot(client, seller))
    async with _running(settings) as (_, client):
        for who in (buyer, seller):
            login = await client.post(
                "/api/auth/v1/login", json={"email": who.email, "password": PASSWORD}
            )
            who.headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
        assert (await _spot(client, buyer), await _spot(client, seller)) == before
        mine = await client.get(f"{TRADE}/orders/{resting['orderId']}", headers=seller.headers)
        assert (mine.json()["status"], mine.json()["executedQty"]) == (
            "PARTIALLY_FILLED", "0.05000")  # fmt: skip
    # offline, the command reads both services' databases: the books agree to the minor unit
    code, out, err = await _burency_reconcile(settings.data_dir)
    assert code == 0, (out, err)
    assert "trading_matches_clearing" in json.loads(out)["checks"]


async def _burency_reconcile(data_dir: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
    env |= {"BURENCY_DATA_DIR": str(data_dir), "BURENCY_MODE": "embedded"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "burency_platform.cli", "reconcile", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return int(proc.returncode or 0), out.decode(), err.decode()
