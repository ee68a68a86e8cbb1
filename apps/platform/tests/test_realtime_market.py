"""Market data over Socket.IO through the whole embedded platform, as a browser sees it.

The platform served by uvicorn; real python-socketio clients connect to the gateway's
edge. A client subscribes to ``btcaed@depth@100ms``, orders are placed through the REST
API, and the book the client rebuilds from the snapshot and the diffs equals the REST
``/depth``; a diff dropped on the way is a gap the client repairs with a ``snapshot``
request; private ``executionReport``s reach their owner's sockets only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.uvicorn_task import serving
from burency_testing.waiting import eventually
from burency_trading.domain.model import TransferIn

from .platform_testing import PlatformClient
from .platform_testing.banking import Person, sign_in

STREAM = "btcaed@depth@100ms"
TRADE = "/api/trading/v1"


class DepthClient:
    """Keeps one depth stream's book the way the docs tell a client to (docs/realtime.md)."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection_delay=0.1, reconnection_delay_max=0.5)
        self.bids: dict[str, str] = {}
        self.asks: dict[str, str] = {}
        self.last_u: int | None = None
        self.fresh = False
        self.buffer: list[dict[str, Any]] = []
        self.snapshots = self.gaps = 0
        self.drop_after: int | None = None  # the first diff beyond is "lost on the way"
        self.dropped = False
        self.sio.on("connect", self._on_connect)
        self.sio.on("snapshot", self._on_snapshot)
        self.sio.on("stream", self._on_stream)

    async def _on_connect(self) -> None:
        self.last_u = None  # a new socket: resubscribe, a snapshot follows
        self.sio.start_background_task(self.sio.emit, "subscribe", {"streams": [STREAM]})

    async def _on_snapshot(self, message: dict[str, Any]) -> None:
        if message.get("stream") == STREAM and "data" in message:
            self._load(message["data"])

    async def _resync(self) -> None:
        answer = await self.sio.call("snapshot", {"stream": STREAM}, timeout=10)
        self._load(answer["result"]["data"])

    def _load(self, snapshot: dict[str, Any]) -> None:
        self.snapshots += 1
        self.bids, self.asks = dict(snapshot["bids"]), dict(snapshot["asks"])
        self.last_u, self.fresh = snapshot["lastUpdateId"], True
        pending, self.buffer = self.buffer, []
        for diff in pending:
            self._feed(diff)

    async def _on_stream(self, message: dict[str, Any]) -> None:
        diff = message["data"]
        if message.get("stream") != STREAM:
            return
        if self.drop_after is not None and not self.dropped and diff["u"] > self.drop_after:
            self.dropped = True
            return
        self._feed(diff)

    def _feed(self, diff: dict[str, Any]) -> None:
        if self.last_u is None:
            self.buffer.append(diff)
            return
        if diff["u"] <= self.last_u:
            return  # in the snapshot already
        continues = diff["pu"] <= self.last_u < diff["u"] and (
            self.fresh or diff["pu"] == self.last_u
        )
        if not continues:
            self.gaps += 1
            self.last_u, self.buffer = None, [diff]
            self.sio.start_background_task(self._resync)
            return
        for side, levels in ((self.bids, diff["b"]), (self.asks, diff["a"])):
            for price, quantity in levels:
                if float(quantity) == 0:
                    side.pop(price, None)
                else:
                    side[price] = quantity
        self.last_u, self.fresh = diff["u"], False

    def book(self) -> dict[str, Any]:
        def side(levels: dict[str, str], best_first: bool) -> list[list[str]]:
            return [[p, levels[p]] for p in sorted(levels, key=float, reverse=best_first)]

        return {
            "lastUpdateId": self.last_u,
            "bids": side(self.bids, True),
            "asks": side(self.asks, False),
        }


@pytest.fixture
async def platform(
    tmp_path: Path, settings_factory: Any
) -> AsyncIterator[tuple[Platform, PlatformClient, str]]:
    settings: PlatformSettings = settings_factory(PlatformSettings, data_dir=tmp_path / "var")
    built = build_platform(settings)
    async with serving(built) as url, PlatformClient(built, base_url=url, timeout=30) as http:
        yield built, http, url


async def _funded(built: Platform, http: PlatformClient, email: str, asset: str, n: int) -> Person:
    person = await sign_in(http, email)
    trading = next(c for c in built.components if c.name == "trading")
    # the money as banking's transfer to trading would credit it (the saga has its own tests)
    await trading.handle.submit(TransferIn(f"fund-{email}", person.user_id, asset, n))  # type: ignore[attr-defined]
    return person


async def _limit(http: httpx.AsyncClient, who: Person, side: str, qty: str, price: str) -> int:
    body = {"symbol": "BTC/AED", "side": side, "type": "LIMIT", "timeInForce": "GTC",
            "quantity": qty, "price": price}  # fmt: skip
    placed = await http.post(f"{TRADE}/orders", json=body, headers=who.headers)
    assert placed.status_code == 201, placed.text
    return int(placed.json()["orderId"])


async def _rest_depth(http: httpx.AsyncClient) -> dict[str, Any]:
    got = await http.get(f"{TRADE}/depth", params={"symbol": "BTCAED", "limit": 1000})
    assert got.status_code == 200, got.text
    depth: dict[str, Any] = got.json()
    return depth


async def _same_book(http: httpx.AsyncClient, client: DepthClient) -> bool:
    return client.book() == await _rest_depth(http)


def _inbox(sio: socketio.AsyncClient, event: str) -> list[Any]:
    got: list[Any] = []

    async def on_event(data: Any) -> None:
        got.append(data)

    sio.on(event, on_event)
    return got


async def test_the_book_rebuilt_from_the_socket_equals_rest_depth_and_survives_a_gap(
    platform: tuple[Platform, PlatformClient, str],
) -> None:
    built, http, url = platform
    alice = await _funded(built, http, "alice@example.com", "BTC", 10**8)
    bob = await _funded(built, http, "bob@example.com", "AED", 10**9)
    await _limit(http, alice, "SELL", "0.01", "200000")  # a book before anyone watches
    client = DepthClient()
    await client.sio.connect(url, wait_timeout=10)
    try:
        await eventually(lambda: _true(client.snapshots == 1), "the snapshot on subscribe")
        for i in range(4):
            await _limit(http, alice, "SELL", "0.01", str(200100 + 100 * i))
            await _limit(http, bob, "BUY", "0.02", str(199000 + 100 * i))
        await _limit(http, bob, "BUY", "0.015", "200100")  # crosses: trades, levels change
        await eventually(lambda: _same_book(http, client), "the socket's book == /depth")
        assert client.gaps == 0

        # a diff lost on the way: the next one does not continue the chain
        client.drop_after = (await _rest_depth(http))["lastUpdateId"]
        await _limit(http, alice, "SELL", "0.01", "201000")
        await eventually(lambda: _true(client.dropped), "a diff lost")
        await _limit(http, bob, "BUY", "0.01", "198000")  # its diff comes after the lost one
        await eventually(lambda: _true(client.gaps == 1), "the gap noticed")
        await eventually(lambda: _same_book(http, client), "the book right again after resync")
        assert client.snapshots == 2
    finally:
        await client.sio.disconnect()


async def test_private_order_updates_reach_only_their_owner(
    platform: tuple[Platform, PlatformClient, str],
) -> None:
    built, http, url = platform
    alice = await _funded(built, http, "alice@example.com", "BTC", 10**8)
    bob = await _funded(built, http, "bob@example.com", "AED", 10**9)
    sockets = {name: socketio.AsyncClient() for name in ("alice", "bob")}
    reports = {name: _inbox(sio, "executionReport") for name, sio in sockets.items()}
    for name, who in (("alice", alice), ("bob", bob)):
        token = who.headers["Authorization"].removeprefix("Bearer ")
        await sockets[name].connect(url, auth={"token": token}, wait_timeout=10)
    try:
        mine = await _limit(http, alice, "SELL", "0.01", "200000")
        theirs = await _limit(http, bob, "BUY", "0.01", "190000")
        await eventually(
            lambda: _true({r["i"] for r in reports["alice"]} >= {mine}), "alice's report"
        )
        await eventually(
            lambda: _true({r["i"] for r in reports["bob"]} >= {theirs}), "bob's report"
        )
        assert {r["i"] for r in reports["alice"]} == {mine}
        assert {r["i"] for r in reports["bob"]} == {theirs}
    finally:
        for sio in sockets.values():
            await sio.disconnect()


async def _true(value: bool) -> bool:
    return value
