"""What a client shows beside the order form (#17): the price band's reference price in
``/v1/ticker/bookTicker`` (null, then the source's reference, then the last trade), a
never-traded market's 24 h ticker (``count`` 0, ``lastId`` -1, ``lastPrice`` zero), and
the source names the admin switch offers (staff only)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from burency_trading.marketdata_wiring import build_market_data
from burency_trading.service.liquidity.admin import MarketDataServices
from burency_trading.service.runner_types import RunnerStopped

from .conftest import make_settings, start_api
from .support import Api


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    made, db = await start_api(make_settings(tmp_path, liquidity_bot=False))
    yield made
    await made.client.aclose()
    await db.dispose()


def _attach_sources(api: Api) -> MarketDataServices:
    md = build_market_data(api.ctx.settings, api.ctx)
    api.client._transport.app.state.market_sources = md  # type: ignore[attr-defined]
    return md


async def _book(api: Api, symbol: str) -> dict[str, Any]:
    answer = await api.client.get("/v1/ticker/bookTicker", params={"symbol": symbol})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_reference_price_from_nothing_to_source_to_last_trade(api: Api) -> None:
    before = await _book(api, "BTCAED")
    assert before["referencePrice"] is None  # never traded, no source in this process
    assert set(before) == {"symbol", "bidPrice", "bidQty", "askPrice", "askQty", "referencePrice"}

    md = _attach_sources(api)
    try:
        await md.prices.poll("BTC/AED")
        sent = {s.symbol: s.engine_price_ticks for s in md.prices.status()}["BTC/AED"]
        assert sent is not None
        referenced = (await _book(api, "BTC/AED"))["referencePrice"]
        assert referenced == api.ctx.grid("BTC/AED").format_price(sent)
        assert (await _book(api, "ETHAED"))["referencePrice"] is None  # not polled yet

        near = Decimal(referenced).quantize(Decimal("0.01"))
        await api.fund("alice", "BTC", "1")
        await api.fund("bob", "AED", "1000000")
        for user, side in (("alice", "SELL"), ("bob", "BUY")):
            placed = await api.place(user, symbol="BTC/AED", side=side, type="LIMIT",
                                     quantity="0.01", price=str(near))  # fmt: skip
            assert placed.status_code == 201, placed.text
        traded = await _book(api, "BTCAED")
        assert Decimal(traded["referencePrice"]) == near  # the last trade now
        everything = (await api.client.get("/v1/ticker/bookTicker")).json()
        assert traded in everything
        assert all("referencePrice" in row for row in everything)
    finally:
        await md.prices.close()


async def test_a_never_traded_market_ticker(api: Api) -> None:
    ticker = (await api.client.get("/v1/ticker/24hr", params={"symbol": "ETHAED"})).json()
    assert (ticker["count"], ticker["firstId"], ticker["lastId"]) == (0, -1, -1)
    assert Decimal(ticker["lastPrice"]) == 0
    assert Decimal(ticker["volume"]) == 0


async def test_source_names_offered_to_staff(api: Api) -> None:
    url = "/v1/admin/market-data/source-names"
    md = _attach_sources(api)
    try:
        switched = await api.client.put(
            "/v1/admin/market-data/sources/ETHAED", json={"source": "ccxt:kraken"},
            headers=api.headers("boss", roles={"admin"}),
        )  # fmt: skip
        assert switched.status_code == 200, switched.text
        answer = await api.client.get(url, headers=api.headers("helper", roles={"support"}))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        names = {row["name"]: row for row in body["items"]}
        assert [row["name"] for row in body["items"]] == sorted(names)
        assert names["ccxt:kraken"] == {"name": "ccxt:kraken", "markets": ["ETH/AED"],
                                        "configured": False}  # fmt: skip
        assert names["simulated"]["configured"] is True
        assert "BTC/AED" in names["simulated"]["markets"]
        assert body["pattern"].startswith("^(simulated|ccxt:")
        for headers in (api.headers("mallory"), api.headers("k", roles={"admin"}, scopes={"read"}),
                        {}):  # fmt: skip
            refused = await api.client.get(url, headers=headers)
            assert refused.status_code in (401, 403), refused.text
            assert "ETH/AED" not in refused.text
    finally:
        await md.prices.close()


class _StoppedEngine:
    """The runner between stop and start: every query is refused (503)."""

    async def query(self, fn: Any) -> Any:
        raise RunnerStopped()


async def test_the_book_still_shows_while_the_engine_is_stopped(api: Api) -> None:
    running = api.ctx.engine
    api.ctx.engine = _StoppedEngine()  # type: ignore[assignment]
    try:
        book = await _book(api, "BTCAED")
    finally:
        api.ctx.engine = running
    assert book["referencePrice"] is None
    assert book["symbol"] == "BTCAED"
