"""A gateway with a fake trading upstream whose book the test drives, and a depth client.

:class:`FakeMarket` is the trading side as the edge sees it: ``GET /v1/depth`` answers
its book, and :meth:`FakeMarket.change` changes the book and publishes the diff
(``U``/``u``/``pu``, as trading's market data does) through a publisher.
:class:`DepthClient` is what a client does: buffer diffs until a snapshot, drop the
stale ones, apply the chain, and resync on a gap.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import socketio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from burency_common.realtime import RealtimePublisher
from burency_common.timeutil import utc_now
from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token
from burency_gateway.app import Gateway, build_gateway
from burency_gateway.security import LocalKeySource
from burency_gateway.settings import GatewaySettings
from burency_testing.uvicorn_task import serving as serving_app

KEYS = KeyRing(SigningKey.generate())
STREAM = "btcaed@depth@100ms"


def access_token(subject: str) -> str:
    return issue_token(
        KEYS,
        subject=subject,
        token_type=TokenType.ACCESS,
        issuer="burency-auth",
        audience="burency",
        ttl=timedelta(minutes=5),
        now=utc_now(),
        claims={"roles": ["user"], "sid": f"s-{subject}"},
    )


class FakeMarket:
    """One market's book (price → quantity per side) and its update id."""

    def __init__(self, symbol: str = "BTCAED") -> None:
        self.symbol = symbol
        self.update_id = 100
        self.bids: dict[str, str] = {"99": "1"}
        self.asks: dict[str, str] = {"101": "2"}
        self.depth_requests = 0
        self.publisher: RealtimePublisher | None = None

    def depth(self) -> dict[str, Any]:
        bids = sorted(self.bids.items(), key=lambda kv: -int(kv[0]))
        asks = sorted(self.asks.items(), key=lambda kv: int(kv[0]))
        return {
            "lastUpdateId": self.update_id,
            "bids": [list(x) for x in bids],
            "asks": [list(x) for x in asks],
        }

    async def change(
        self, bids: dict[str, str] | None = None, asks: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Apply absolute quantities ("0" removes) and publish the diff."""
        previous = self.update_id
        self.update_id += 1
        for side, changes in ((self.bids, bids or {}), (self.asks, asks or {})):
            for price, quantity in changes.items():
                if quantity == "0":
                    side.pop(price, None)
                else:
                    side[price] = quantity
        diff = {
            "e": "depthUpdate",
            "E": int(time.time() * 1000),
            "s": self.symbol,
            "U": self.update_id,
            "u": self.update_id,
            "pu": previous,
            "b": [[p, q] for p, q in (bids or {}).items()],
            "a": [[p, q] for p, q in (asks or {}).items()],
        }
        assert self.publisher is not None
        await self.publisher.publish_stream(STREAM, diff)
        return diff

    def app(self) -> Starlette:
        async def depth(request: Request) -> JSONResponse:
            self.depth_requests += 1
            if request.query_params.get("symbol") != self.symbol:
                return JSONResponse({"code": "UNKNOWN_SYMBOL"}, status_code=400)
            return JSONResponse(self.depth())

        return Starlette(routes=[Route("/v1/depth", depth)])


@asynccontextmanager
async def edge(
    settings: GatewaySettings, market: FakeMarket | None = None
) -> AsyncIterator[tuple[Gateway, str]]:
    """The gateway served on loopback, its trading upstream ``market``'s app."""
    market = market or FakeMarket()
    gateway = build_gateway(
        settings, services={"trading": market.app()}, key_source=LocalKeySource(KEYS.resolve)
    )
    market.publisher = gateway.realtime
    async with serving_app(gateway.app) as url:
        yield gateway, url


class DepthClient:
    """A Socket.IO client keeping one depth stream's book, as a browser would."""

    def __init__(
        self, stream: str = STREAM, *, drop: Callable[[dict[str, Any]], bool] | None = None
    ) -> None:
        self.stream = stream
        self.sio = socketio.AsyncClient(reconnection_delay=0.1, reconnection_delay_max=0.5)
        self.bids: dict[str, str] = {}
        self.asks: dict[str, str] = {}
        self.last_u: int | None = None
        self.buffer: list[dict[str, Any]] = []
        self.snapshots = 0
        self.gaps = 0
        self.applied = 0
        self._fresh = False  # a snapshot was loaded and no diff applied on it yet
        self._drop = drop or (lambda diff: False)
        self.sio.on("snapshot", self._on_snapshot)
        self.sio.on("stream", self._on_stream)
        self.sio.on("connect", self._on_connect)

    async def _on_connect(self) -> None:
        """(Re)subscribe on every connect: a reconnected socket is a new socket."""
        self.last_u = None
        self.sio.start_background_task(self.sio.emit, "subscribe", {"streams": [self.stream]})

    async def _on_snapshot(self, message: dict[str, Any]) -> None:
        if message.get("stream") == self.stream and "data" in message:
            self._load(message["data"])

    async def resync(self) -> None:
        answer = await self.sio.call("snapshot", {"stream": self.stream}, timeout=10)
        self._load(answer["result"]["data"])

    def _load(self, snapshot: dict[str, Any]) -> None:
        self.snapshots += 1
        self.bids = dict(snapshot["bids"])
        self.asks = dict(snapshot["asks"])
        self.last_u = snapshot["lastUpdateId"]
        self._fresh = True
        pending, self.buffer = self.buffer, []
        for diff in pending:
            self._feed(diff)

    async def _on_stream(self, message: dict[str, Any]) -> None:
        if message.get("stream") != self.stream or self._drop(message["data"]):
            return
        self._feed(message["data"])

    def _feed(self, diff: dict[str, Any]) -> None:
        if self.last_u is None:
            self.buffer.append(diff)
        elif not self._apply(diff):
            self.gaps += 1
            self.last_u = None
            self.buffer = [diff]
            self.sio.start_background_task(self.resync)

    def _apply(self, diff: dict[str, Any]) -> bool:
        """Apply ``diff`` if it continues the book; ``False`` on a gap."""
        assert self.last_u is not None
        if diff["u"] <= self.last_u:
            return True  # already in the snapshot
        if not diff["pu"] <= self.last_u < diff["u"]:
            return False
        if not self._fresh and diff["pu"] != self.last_u:
            return False
        self._fresh = False
        for side, levels in ((self.bids, diff["b"]), (self.asks, diff["a"])):
            for price, quantity in levels:
                if quantity in {"0", "0.0"} or float(quantity) == 0:
                    side.pop(price, None)
                else:
                    side[price] = quantity
        self.last_u = diff["u"]
        self.applied += 1
        return True

    def book(self) -> dict[str, Any]:
        return {
            "lastUpdateId": self.last_u,
            "bids": sorted(self.bids.items(), key=lambda kv: -float(kv[0])),
            "asks": sorted(self.asks.items(), key=lambda kv: float(kv[0])),
        }


def as_book(depth: dict[str, Any]) -> dict[str, Any]:
    return {
        "lastUpdateId": depth["lastUpdateId"],
        "bids": [tuple(level) for level in depth["bids"]],
        "asks": [tuple(level) for level in depth["asks"]],
    }


async def received(queue: asyncio.Queue[Any]) -> Any:
    return await asyncio.wait_for(queue.get(), timeout=10)


def collector(client: socketio.AsyncClient, event: str) -> asyncio.Queue[Any]:
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def on_event(data: Any) -> None:
        await queue.put(data)

    client.on(event, on_event)
    return queue
