"""The public market-data routes through the app (real engine in-process, SQLite):
shapes and values after trading, klines paging through stored history, 422s."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from burency_trading.domain.marketdata.candles import Candle, TradeTick

from .conftest import make_settings, start_api
from .support import Api

MINUTE_MS = 60_000


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    made, db = await start_api(make_settings(tmp_path))
    await made.fund("alice", "BTC", "10")
    await made.fund("bob", "AED", "10000000")
    yield made
    await made.client.aclose()
    await db.dispose()


async def get(api: Api, path: str, **params: Any) -> Any:
    answer = await api.client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def order(api: Api, user: str, side: str, qty: str, price: str | None = None) -> None:
    body = {"symbol": "BTC/AED", "side": side, "type": "LIMIT" if price else "MARKET",
            "quantity": qty, **({"price": price} if price else {})}  # fmt: skip
    placed = await api.place(user, **body)
    assert placed.status_code == 201, placed.text


async def test_depth_trades_tickers_after_some_trading(api: Api) -> None:
    for price in ("200000", "200100", "200200"):
        await order(api, "alice", "SELL", "0.1", price)
    await order(api, "bob", "BUY", "0.2", "199000")
    await order(api, "bob", "BUY", "0.15")  # takes 0.1 @ 200000 and 0.05 @ 200100
    depth = await get(api, "/v1/depth", symbol="BTCAED", limit=5)
    assert depth["bids"] == [["199000.00", "0.20000"]]
    assert depth["asks"] == [["200100.00", "0.05000"], ["200200.00", "0.10000"]]
    assert depth["lastUpdateId"] == api.local.seq  # the taker was the last command
    assert await get(api, "/v1/depth", symbol="BTC/AED") == depth
    trades = await get(api, "/v1/trades", symbol="BTCAED")
    assert [(t["price"], t["qty"], t["isBuyerMaker"]) for t in trades] == [
        ("200000.00", "0.10000", False), ("200100.00", "0.05000", False),
    ]  # fmt: skip
    assert [t["id"] for t in await get(api, "/v1/trades", symbol="BTCAED", limit=1)] == [2]
    ticker = await get(api, "/v1/ticker/24hr", symbol="BTCAED")
    assert ticker["symbol"] == "BTCAED"
    assert (ticker["openPrice"], ticker["lastPrice"], ticker["highPrice"]) == (
        "200000.00", "200100.00", "200100.00",
    )  # fmt: skip
    assert (ticker["priceChange"], ticker["priceChangePercent"]) == ("100.00", "0.050")
    assert (ticker["volume"], ticker["quoteVolume"], ticker["count"]) == (
        "0.15000", "30005.00", 2,
    )  # fmt: skip
    assert (ticker["bidPrice"], ticker["askPrice"], ticker["askQty"]) == (
        "199000.00", "200100.00", "0.05000",
    )  # fmt: skip
    everything = await get(api, "/v1/ticker/24hr")
    assert [t["symbol"] for t in everything] == sorted(t["symbol"] for t in everything)
    assert ticker in [{**t, "closeTime": ticker["closeTime"]} for t in everything]
    book = await get(api, "/v1/ticker/bookTicker", symbol="BTC/AED")
    assert book == {
        "symbol": "BTCAED",
        "bidPrice": "199000.00",
        "bidQty": "0.20000",
        "askPrice": "200100.00",
        "askQty": "0.05000",
        "referencePrice": "200100.00",
    }  # fmt: skip  (the band's: the last trade)
    assert book in await get(api, "/v1/ticker/bookTicker")
    klines = await get(api, "/v1/klines", symbol="BTCAED", interval="1h")
    assert [[*row[1:6], row[8]] for row in klines] == [
        ["200000.00", "200100.00", "200000.00", "200100.00", "0.15000", 2],
    ]


async def test_exchange_info_lists_every_market_with_its_filters(api: Api) -> None:
    info = await get(api, "/v1/exchangeInfo")
    assert info["timezone"] == "UTC"
    symbols = {s["symbol"]: s for s in info["symbols"]}
    btc = symbols["BTCAED"]
    assert (btc["baseAsset"], btc["quoteAsset"], btc["status"]) == ("BTC", "AED", "TRADING")
    filters = {f["filterType"]: f for f in btc["filters"]}
    spec = api.ctx.specs["BTC/AED"]
    assert filters["PRICE_FILTER"]["tickSize"] == spec.tick_size
    assert filters["LOT_SIZE"]["stepSize"] == spec.lot_size
    assert set(filters) == {"PRICE_FILTER", "LOT_SIZE", "MIN_NOTIONAL"}
    assert len(symbols) == len(api.ctx.specs)


async def test_klines_page_through_the_stored_history(api: Api) -> None:
    sink = api.client._transport.app.state.marketdata  # type: ignore[attr-defined]
    base = 1_700_000_000_000 // MINUTE_MS * MINUTE_MS  # ms, on a minute
    stored = []
    for i in range(30):
        first = TradeTick(i + 1, "BTC/AED", 100 + i, 1, 100, True, (base + i * MINUTE_MS) * 1000)
        candle = Candle("BTC/AED", "1m", first.ts, first)
        candle.add(first)
        stored.append(candle)
    await sink.store.save(stored)
    rows = await get(api, "/v1/klines", symbol="BTCAED", interval="1m", limit=10)
    assert [r[0] for r in rows] == [base + i * MINUTE_MS for i in range(20, 30)]  # newest 10
    assert rows[0][6] == rows[0][0] + MINUTE_MS - 1  # close time
    start = base + 5 * MINUTE_MS
    page = await get(api, "/v1/klines", symbol="BTCAED", interval="1m", startTime=start, limit=4)
    assert [r[0] for r in page] == [base + i * MINUTE_MS for i in range(5, 9)]
    nxt = await get(api, "/v1/klines", symbol="BTCAED", interval="1m", startTime=page[-1][0] + 1,
                    limit=4)  # fmt: skip
    assert [r[0] for r in nxt] == [base + i * MINUTE_MS for i in range(9, 13)]
    window = await get(api, "/v1/klines", symbol="BTCAED", interval="1m", startTime=base,
                       endTime=base + 2 * MINUTE_MS)  # fmt: skip
    assert [r[1] for r in window] == ["1.00", "1.01", "1.02"]
    assert await get(api, "/v1/klines", symbol="BTCAED", interval="5m") == []


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/v1/depth", {"symbol": "DOGEAED"}, "MARKET_UNKNOWN"),
        ("/v1/depth", {"symbol": "BTCAED", "limit": 4}, "VALIDATION_FAILED"),
        ("/v1/depth", {"symbol": "BTCAED", "limit": 5001}, "VALIDATION_FAILED"),
        ("/v1/depth", {}, "VALIDATION_FAILED"),
        ("/v1/trades", {"symbol": "BTC/USD"}, "MARKET_UNKNOWN"),
        ("/v1/trades", {"symbol": "BTCAED", "limit": 0}, "VALIDATION_FAILED"),
        ("/v1/klines", {"symbol": "BTCAED", "interval": "2m"}, "VALIDATION_FAILED"),
        ("/v1/klines", {"symbol": "BTCAED", "interval": "1m", "startTime": 5, "endTime": 4},
         "VALIDATION_FAILED"),
        ("/v1/ticker/24hr", {"symbol": "NOPE"}, "MARKET_UNKNOWN"),
        ("/v1/ticker/bookTicker", {"symbol": "NOPE"}, "MARKET_UNKNOWN"),
    ],
)  # fmt: skip
async def test_bad_input_is_a_422_with_a_stable_code(
    api: Api, path: str, params: dict[str, Any], code: str
) -> None:
    answer = await api.client.get(path, params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == code
