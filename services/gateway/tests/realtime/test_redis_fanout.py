"""Distributed mode: a service publishes through Redis, every gateway process delivers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import socketio

from burency_common.realtime_redis import RedisRealtimePublisher
from burency_gateway.settings import GatewaySettings
from burency_testing.infra import free_port
from burency_testing.waiting import eventually

from .support import STREAM, DepthClient, FakeMarket, access_token, as_book, collector, edge

pytestmark = pytest.mark.redis


async def _until_received(
    publish: Callable[[], Any], inboxes: list[asyncio.Queue[Any]], timeout: float = 10
) -> None:
    """Publish until every inbox got it: each gateway's Redis listener subscribes on its
    own after start-up, and a message published before that reaches nobody there."""
    deadline = asyncio.get_running_loop().time() + timeout
    while any(inbox.empty() for inbox in inboxes):
        assert asyncio.get_running_loop().time() < deadline, "not delivered through Redis"
        await publish()
        await asyncio.sleep(0.1)  # re-publish until both listeners are subscribed


async def test_a_redis_publisher_reaches_clients_of_two_gateways(
    settings_factory: Callable[..., Any], redis_url: str
) -> None:
    settings: GatewaySettings = settings_factory(GatewaySettings, redis_url=redis_url)
    publisher = RedisRealtimePublisher(redis_url)
    market = FakeMarket()
    async with edge(settings, market) as (_, url_a), edge(settings, market) as (_, url_b):
        market.publisher = publisher  # the trading service, in its own process
        a, b = socketio.AsyncClient(), socketio.AsyncClient()
        inbox_a, inbox_b = collector(a, "stream"), collector(b, "stream")
        owner_inbox = collector(b, "order.update")
        await a.connect(url_a, wait_timeout=10)
        await b.connect(url_b, auth={"token": access_token("u-9")}, wait_timeout=10)
        try:
            for client in (a, b):
                await client.call("subscribe", {"streams": ["btcaed@trade"]}, timeout=10)
            await _until_received(
                lambda: publisher.publish_stream("btcaed@trade", {"t": 1}), [inbox_a, inbox_b]
            )
            for inbox in (inbox_a, inbox_b):
                assert (await inbox.get()) == {"stream": "btcaed@trade", "data": {"t": 1}}
            await publisher.publish_user("u-9", "order.update", {"orderId": 5})
            assert await asyncio.wait_for(owner_inbox.get(), 10) == {"orderId": 5}
        finally:
            await a.disconnect()
            await b.disconnect()
            await publisher.aclose()


async def test_depth_through_redis_rebuilds_the_book_on_each_gateway(
    settings_factory: Callable[..., Any], redis_url: str
) -> None:
    settings: GatewaySettings = settings_factory(GatewaySettings, redis_url=redis_url)
    publisher = RedisRealtimePublisher(redis_url)
    market = FakeMarket()
    async with edge(settings, market) as (_, url_a), edge(settings, market) as (_, url_b):
        market.publisher = publisher
        clients = [DepthClient(STREAM), DepthClient(STREAM)]
        await clients[0].sio.connect(url_a, wait_timeout=10)
        await clients[1].sio.connect(url_b, wait_timeout=10)
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 15
            i = 0
            while not all(c.applied > 0 for c in clients):  # until both listeners are up
                assert loop.time() < deadline, "no diff through Redis"
                i += 1
                await market.change(bids={str(50 + i % 20): str(i)})
                await asyncio.sleep(0.05)  # publishing at 20 Hz
            for i in range(30):
                await market.change(asks={str(200 + i % 6): str(i % 4)})
            final = market.update_id
            await eventually(
                lambda: _true(all(c.last_u == final for c in clients)), "the books caught up"
            )
            for client in clients:
                assert as_book(client.book()) == as_book(market.depth())
        finally:
            for client in clients:
                await client.sio.disconnect()
            await publisher.aclose()


async def test_a_publisher_without_redis_drops_quickly() -> None:
    publisher = RedisRealtimePublisher(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    try:
        for i in range(100):  # one failed try, then dropped without trying for a while
            await publisher.publish_stream("btcaed@trade", {"t": i})
        assert (publisher.dropped, publisher.published) == (100, 0)
    finally:
        await publisher.aclose()


async def _true(value: bool) -> bool:
    return value
