"""The edge's stream protocol over real sockets: uvicorn serving the gateway, the
python-socketio client, a fake trading upstream whose book the test changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import socketio

from burency_gateway.realtime_streams import MAX_STREAMS_PER_SOCKET, SNAPSHOT_BURST
from burency_gateway.settings import GatewaySettings
from burency_testing.waiting import eventually

from .support import (
    STREAM,
    DepthClient,
    FakeMarket,
    access_token,
    as_book,
    collector,
    edge,
    received,
)


@pytest.fixture
def settings(settings_factory: Callable[..., Any]) -> GatewaySettings:
    result: GatewaySettings = settings_factory(GatewaySettings)
    return result


async def test_subscribe_to_depth_sends_snapshot_before_the_ack(settings: GatewaySettings) -> None:
    market = FakeMarket()
    async with edge(settings, market) as (_, url):
        client = socketio.AsyncClient()
        snapshots = collector(client, "snapshot")
        await client.connect(url, wait_timeout=10)
        try:
            answer = await client.call("subscribe", {"streams": [STREAM]}, timeout=10)
            assert answer == {"result": [STREAM]}
            assert snapshots.qsize() == 1, "the snapshot arrives before the acknowledgement"
            snapshot = await received(snapshots)
            assert snapshot == {"stream": STREAM, "data": market.depth()}
        finally:
            await client.disconnect()


async def test_book_rebuilt_from_snapshot_and_diffs_equals_the_rest_depth(
    settings: GatewaySettings,
) -> None:
    """Diffs published while the client subscribes are neither lost nor applied twice."""
    market = FakeMarket()
    async with edge(settings, market) as (_, url):
        churn = asyncio.create_task(_churn(market, 200))
        client = DepthClient()
        await client.sio.connect(url, wait_timeout=10)
        try:
            await churn
            await eventually(
                lambda: _true(client.last_u == market.update_id), "the client caught up"
            )
            assert as_book(client.book()) == as_book(market.depth())
            assert client.gaps == 0
        finally:
            await client.sio.disconnect()


async def _true(value: bool) -> bool:
    return value


async def _churn(market: FakeMarket, changes: int) -> None:
    for i in range(changes):
        price = str(90 + i % 9)
        quantity = "0" if i % 7 == 0 else str(1 + i % 5)
        await market.change(bids={price: quantity}, asks={str(102 + i % 5): str(i % 3)})
        await asyncio.sleep(0)  # let the socket's subscribe interleave with the changes


async def test_a_gap_is_repaired_by_a_snapshot_request(settings: GatewaySettings) -> None:
    market = FakeMarket()
    async with edge(settings, market) as (_, url):

        def drop_one(diff: dict[str, Any]) -> bool:
            return bool(diff["u"] == 105)  # lost on the way, once

        client = DepthClient(drop=drop_one)
        await client.sio.connect(url, wait_timeout=10)
        try:
            await eventually(lambda: _true(client.snapshots == 1), "the first snapshot")
            for i in range(10):
                await market.change(bids={str(80 + i): "3"})
            await eventually(lambda: _true(client.gaps == 1), "the gap is seen")
            await market.change(asks={"150": "1"})
            await eventually(
                lambda: _true(client.last_u == market.update_id), "the book after the resync"
            )
            assert client.snapshots == 2
            assert as_book(client.book()) == as_book(market.depth())
        finally:
            await client.sio.disconnect()


async def test_streams_work_again_after_a_reconnect(settings: GatewaySettings) -> None:
    market = FakeMarket()
    async with edge(settings, market) as (gateway, url):
        client = DepthClient()
        await client.sio.connect(url, wait_timeout=10)
        try:
            await eventually(lambda: _true(client.snapshots == 1), "the first snapshot")
            first_sid = client.sio.get_sid()
            # the server drops the transport (as for a client too far behind)
            eio_sid = gateway.realtime.server.manager.eio_sid_from_sid(first_sid, "/")
            await gateway.realtime.server.eio.sockets[eio_sid].close(wait=False, abort=True)
            await gateway.realtime.server.eio.sockets[eio_sid].queue.put(None)
            await eventually(
                lambda: _true(client.snapshots == 2 and client.sio.get_sid() != first_sid),
                "reconnected and resubscribed",
            )
            await market.change(bids={"98": "4"})
            await eventually(lambda: _true(client.last_u == market.update_id), "diffs again")
            assert as_book(client.book()) == as_book(market.depth())
        finally:
            await client.sio.disconnect()


async def test_stream_names_and_limits(settings: GatewaySettings) -> None:
    async with edge(settings) as (gateway, url):
        client = socketio.AsyncClient()
        inbox = collector(client, "stream")
        await client.connect(url, wait_timeout=10)
        try:
            good = ["btcaed@bookTicker", "btcaed@kline_1m", "btcaed@trade", "btcaed@ticker"]
            assert (await client.call("subscribe", {"streams": good}))["result"] == sorted(good)
            for bad in (["BTCAED@trade"], ["btcaed@kline_7m"], ["btcaed@depth@10ms"], ["x"], []):
                answer = await client.call("subscribe", {"streams": bad}, timeout=10)
                assert answer["error"]["code"] == "INVALID_STREAMS", bad
            many = [f"m{i:03d}aed@trade" for i in range(MAX_STREAMS_PER_SOCKET)]
            answer = await client.call("subscribe", {"streams": many}, timeout=10)
            assert answer["error"]["code"] == "TOO_MANY_STREAMS"
            left = await client.call("unsubscribe", {"streams": ["btcaed@trade"]}, timeout=10)
            assert "btcaed@trade" not in left["result"]
            await gateway.realtime.publish_stream("btcaed@trade", {"t": 1})
            await gateway.realtime.publish_stream("btcaed@bookTicker", {"u": 2})
            assert await received(inbox) == {"stream": "btcaed@bookTicker", "data": {"u": 2}}
        finally:
            await client.disconnect()


async def test_snapshot_requests_need_a_subscription_and_are_limited(
    settings: GatewaySettings,
) -> None:
    market = FakeMarket()
    async with edge(settings, market) as (_, url):
        client = socketio.AsyncClient()
        await client.connect(url, wait_timeout=10)
        try:
            answer = await client.call("snapshot", {"stream": STREAM}, timeout=10)
            assert answer["error"]["code"] == "NOT_SUBSCRIBED"
            answer = await client.call("snapshot", {"stream": "btcaed@trade"}, timeout=10)
            assert answer["error"]["code"] == "NOT_A_DEPTH_STREAM"
            await client.call("subscribe", {"streams": [STREAM]}, timeout=10)  # one token
            answers = [
                await client.call("snapshot", {"stream": STREAM}, timeout=10)
                for _ in range(SNAPSHOT_BURST)
            ]
            expected = {"result": {"stream": STREAM, "data": market.depth()}}
            assert all(a == expected for a in answers[:-1])
            assert answers[-1]["error"]["code"] == "SNAPSHOT_RATE_LIMITED"
        finally:
            await client.disconnect()


async def test_unknown_market_snapshot_is_an_error_message(settings: GatewaySettings) -> None:
    async with edge(settings) as (_, url):
        client = socketio.AsyncClient()
        snapshots = collector(client, "snapshot")
        await client.connect(url, wait_timeout=10)
        try:
            await client.call("subscribe", {"streams": ["ethaed@depth"]}, timeout=10)
            message = await received(snapshots)
            assert message["stream"] == "ethaed@depth"
            assert message["error"]["code"] == "UNKNOWN_SYMBOL"
        finally:
            await client.disconnect()


async def test_private_updates_reach_only_their_owner(settings: GatewaySettings) -> None:
    async with edge(settings) as (gateway, url):
        owner, other = socketio.AsyncClient(), socketio.AsyncClient()
        owner_inbox = collector(owner, "order.update")
        other_inbox = collector(other, "order.update")
        other_public = collector(other, "stream")
        await owner.connect(url, auth={"token": access_token("u-1")}, wait_timeout=10)
        await other.connect(url, auth={"token": access_token("u-2")}, wait_timeout=10)
        try:
            await other.call("subscribe", {"streams": ["btcaed@trade"]}, timeout=10)
            await gateway.realtime.publish_user("u-1", "order.update", {"orderId": 1})
            await gateway.realtime.publish_stream("btcaed@trade", {"t": 9})  # a marker
            assert await received(owner_inbox) == {"orderId": 1}
            assert await received(other_public) == {"stream": "btcaed@trade", "data": {"t": 9}}
            assert other_inbox.empty(), "sent before the marker, so it would have arrived"
        finally:
            await owner.disconnect()
            await other.disconnect()


async def test_subscribing_in_a_loop_does_not_fetch_a_snapshot_each_time(
    settings: GatewaySettings,
) -> None:
    market = FakeMarket()
    async with edge(settings, market) as (_, url):
        client = socketio.AsyncClient()
        snapshots = collector(client, "snapshot")
        await client.connect(url, wait_timeout=10)
        try:
            for _ in range(SNAPSHOT_BURST + 3):
                await client.call("subscribe", {"streams": [STREAM]}, timeout=10)
                await client.call("unsubscribe", {"streams": [STREAM]}, timeout=10)
            got = [await received(snapshots) for _ in range(SNAPSHOT_BURST + 3)]
            assert ["data" in m for m in got] == [True] * SNAPSHOT_BURST + [False] * 3
            assert got[-1]["error"]["code"] == "SNAPSHOT_RATE_LIMITED"
            assert market.depth_requests == SNAPSHOT_BURST
        finally:
            await client.disconnect()
