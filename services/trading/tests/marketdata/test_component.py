"""The market-data sink in the real component (engine thread, journal, projection), on
SQLite and PostgreSQL: the streams a subscriber sees rebuild the REST ``/v1/depth``
snapshot and the engine's own book; trades, tickers and klines agree; private reports
reach their owners; and after a restart (the sink primed from the engine, candles and
trades from SQL) depth, tickers, trades and candles are what they were."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from burency_common.bus.memory import InMemoryBus
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now
from burency_testing.waiting import eventually
from burency_trading.component import TradingComponent, build_component
from burency_trading.domain.model import TransferIn
from burency_trading.service.marketdata.publishers import MemoryPublisher
from burency_trading.settings import TradingSettings

SECRET = b"trading-marketdata-tests-identity-secret-0123"
STREAM = "btcaed@depth@100ms"


def headers(user_id: str) -> dict[str, str]:
    identity = Identity(user_id, roles=frozenset({"user"}), email_verified=True)
    return {IDENTITY_HEADER: sign_identity(identity, secret=SECRET, now=utc_now())}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database_factory: Callable[..., str]
) -> TradingSettings:
    if request.param == "postgres":
        url = postgres_database_factory()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'trading.db'}"
    return TradingSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        journal_dir=tmp_path / "journal",
    )


class Client:
    """A subscriber: a REST snapshot, then the stream's diffs (Binance's rules)."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.last = snapshot["lastUpdateId"]
        self.bids: dict[str, str] = dict(snapshot["bids"])
        self.asks: dict[str, str] = dict(snapshot["asks"])
        self.applied = 0

    def feed(self, diffs: list[dict[str, Any]]) -> None:
        for diff in diffs:
            if diff["u"] <= self.last:
                continue  # already in the snapshot (or applied)
            assert diff["pu"] <= self.last < diff["u"], "a gap: resync"
            if self.applied:
                assert diff["pu"] == self.last
            for side, changes in ((self.bids, diff["b"]), (self.asks, diff["a"])):
                for price, qty in changes:
                    if float(qty) == 0:
                        side.pop(price, None)
                    else:
                        side[price] = qty
            self.last = diff["u"]
            self.applied += 1

    def book(self) -> dict[str, list[list[str]]]:
        def order(side: dict[str, str], reverse: bool) -> list[list[str]]:
            return [[p, side[p]] for p in sorted(side, key=float, reverse=reverse)]

        return {"bids": order(self.bids, True), "asks": order(self.asks, False)}


async def _start(settings: TradingSettings, publisher: MemoryPublisher) -> TradingComponent:
    component = build_component(settings, identity_secret=SECRET, realtime=publisher)
    await component.start(InMemoryBus())
    return component


async def _trade_a_little(http: httpx.AsyncClient, component: TradingComponent) -> None:
    await component.handle.submit(TransferIn("fund-a", "alice", "BTC", 10**8))
    await component.handle.submit(TransferIn("fund-b", "bob", "AED", 10**9))
    for price in ("200000", "200100", "200200", "200300"):
        sell = {"symbol": "BTC/AED", "side": "SELL", "type": "LIMIT", "quantity": "0.01",
                "price": price}  # fmt: skip
        assert (
            await http.post("/v1/orders", json=sell, headers=headers("alice"))
        ).status_code == 201
    for price in ("199000", "199500"):
        buy = {"symbol": "BTCAED", "side": "BUY", "type": "LIMIT", "quantity": "0.02",
               "price": price}  # fmt: skip
        assert (await http.post("/v1/orders", json=buy, headers=headers("bob"))).status_code == 201


async def _take_some(http: httpx.AsyncClient) -> None:
    for qty in ("0.005", "0.01", "0.007"):
        buy = {"symbol": "BTC/AED", "side": "BUY", "type": "MARKET", "quantity": qty}
        placed = await http.post("/v1/orders", json=buy, headers=headers("bob"))
        assert placed.status_code == 201, placed.text


async def _read_all(http: httpx.AsyncClient) -> dict[str, Any]:
    ticker = (await http.get("/v1/ticker/24hr", params={"symbol": "BTCAED"})).json()
    for moving in ("openTime", "closeTime"):
        ticker.pop(moving)
    klines = {
        i: (await http.get("/v1/klines", params={"symbol": "BTCAED", "interval": i})).json()
        for i in ("1m", "5m", "15m", "1h", "4h", "1d")
    }
    return {
        "depth": (await http.get("/v1/depth", params={"symbol": "BTCAED"})).json(),
        "trades": (await http.get("/v1/trades", params={"symbol": "BTCAED"})).json(),
        "ticker": ticker,
        "book": (await http.get("/v1/ticker/bookTicker", params={"symbol": "BTCAED"})).json(),
        "klines": klines,
    }


@pytest.mark.timeout(120)
async def test_streams_rebuild_the_book_and_a_restart_keeps_everything(
    settings: TradingSettings,
) -> None:
    publisher = MemoryPublisher()
    component = await _start(settings, publisher)
    try:
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=component.app), base_url="http://t"
        )
        snapshot = (await http.get("/v1/depth", params={"symbol": "BTC/AED"})).json()
        client = Client(snapshot)
        await _trade_a_little(http, component)
        mid = (await http.get("/v1/depth", params={"symbol": "BTCAED", "limit": 5})).json()
        late = Client(mid)  # a second subscriber joining half-way
        await _take_some(http)

        async def rebuilt() -> bool:
            diffs = publisher.on(STREAM)
            client.feed(diffs)
            late.feed(diffs)
            rest = (await http.get("/v1/depth", params={"symbol": "BTCAED"})).json()
            return client.last == rest["lastUpdateId"] and late.last == rest["lastUpdateId"]

        await eventually(rebuilt, "the depth stream to reach the REST snapshot")
        rest = (await http.get("/v1/depth", params={"symbol": "BTCAED"})).json()
        assert client.book() == {"bids": rest["bids"], "asks": rest["asks"]}
        assert late.book() == client.book()
        # 0.005 + 0.01 + 0.007 bought: 200000 and 200100 gone, 0.002 of 200200 taken
        assert rest["asks"] == [["200200.00", "0.00800"], ["200300.00", "0.01000"]]
        assert rest["bids"] == [["199500.00", "0.02000"], ["199000.00", "0.02000"]]
        bids, asks = await component.handle.query(lambda e: e.depth("BTC/AED", 100))
        assert [q for _, q in asks] == [800, 1000]  # the engine's own book, in lots
        assert [p for p, _ in bids] == [19950000, 19900000]

        trades = (await http.get("/v1/trades", params={"symbol": "BTCAED"})).json()
        assert [(t["price"], t["qty"]) for t in trades] == [
            ("200000.00", "0.00500"), ("200000.00", "0.00500"), ("200100.00", "0.00500"),
            ("200100.00", "0.00500"), ("200200.00", "0.00200"),
        ]  # fmt: skip
        assert not any(t["isBuyerMaker"] for t in trades)  # the buyer took
        streamed = [t for batch in publisher.on("btcaed@trade") for t in batch]
        assert [t["t"] for t in streamed] == [t["id"] for t in trades]
        ticker = (await http.get("/v1/ticker/24hr", params={"symbol": "BTC/AED"})).json()
        assert ticker["count"] == len(trades)
        assert ticker["lastPrice"] == trades[-1]["price"]
        assert ticker["askPrice"] == rest["asks"][0][0]

        async def ticker_streamed() -> bool:
            found = publisher.on("btcaed@ticker")
            return bool(found) and found[-1]["n"] == len(trades)

        await eventually(ticker_streamed, "the 24hr ticker stream")
        reports = [(u, d["x"]) for u, e, d in publisher.users if e == "executionReport"]
        assert ("alice", "TRADE") in reports
        assert ("bob", "TRADE") in reports
        assert {u for u, e, _ in publisher.users if e == "outboundAccountPosition"} == {
            "alice",
            "bob",
        }
        before = await _read_all(http)
        for rows in before["klines"].values():  # every interval counts the 5 trades
            assert sum(row[8] for row in rows) == len(trades)
            assert rows[-1][4] == "200200.00"  # close
    finally:
        await component.stop()

    again = await _start(settings, MemoryPublisher())
    try:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=again.app), base_url="http://t")
        after = await _read_all(http)
        assert after["depth"]["bids"] == before["depth"]["bids"]
        assert after["depth"]["asks"] == before["depth"]["asks"]
        assert after["depth"]["lastUpdateId"] >= before["depth"]["lastUpdateId"]
        for key in ("trades", "ticker", "book", "klines"):
            assert after[key] == before[key], key
    finally:
        await again.stop()
