"""The Socket.IO edge over real sockets: uvicorn serving the gateway, the socketio client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
import socketio

from burency_common.timeutil import utc_now
from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token
from burency_gateway.app import Gateway, build_gateway
from burency_gateway.security import LocalKeySource
from burency_gateway.settings import GatewaySettings
from burency_testing.uvicorn_task import serving as serving_app

KEYS = KeyRing(SigningKey.generate())


def access_token(subject: str, **overrides: Any) -> str:
    options: dict[str, Any] = {
        "subject": subject,
        "token_type": TokenType.ACCESS,
        "issuer": "burency-auth",
        "audience": "burency",
        "ttl": timedelta(minutes=5),
        "now": utc_now(),
        "claims": {"roles": ["user"], "sid": "s1"},
    }
    options.update(overrides)
    return issue_token(KEYS, **options)


@asynccontextmanager
async def serving(settings: GatewaySettings) -> AsyncIterator[tuple[Gateway, str]]:
    gateway = build_gateway(settings, services={}, key_source=LocalKeySource(KEYS.resolve))
    async with serving_app(gateway.app) as url:
        yield gateway, url


async def received(queue: asyncio.Queue[Any]) -> Any:
    return await asyncio.wait_for(queue.get(), timeout=10)


def collector(client: socketio.AsyncClient, event: str) -> asyncio.Queue[Any]:
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def on_event(data: Any) -> None:
        await queue.put(data)

    client.on(event, on_event)
    return queue


@pytest.fixture
def settings(settings_factory: Callable[..., Any]) -> GatewaySettings:
    result: GatewaySettings = settings_factory(GatewaySettings)
    return result


async def test_authenticated_socket_gets_its_private_events(settings: GatewaySettings) -> None:
    async with serving(settings) as (gateway, url):
        client = socketio.AsyncClient()
        inbox = collector(client, "order.update")
        await client.connect(url, auth={"token": access_token("user-7")}, wait_timeout=10)
        try:
            await gateway.realtime.emit_to_user("user-8", "order.update", {"id": "not-yours"})
            await gateway.realtime.emit_to_user("user-7", "order.update", {"id": "o-1"})
            assert await received(inbox) == {"id": "o-1"}
        finally:
            await client.disconnect()


async def test_invalid_token_is_refused_with_its_code(settings: GatewaySettings) -> None:
    async with serving(settings) as (_, url):
        client = socketio.AsyncClient()
        refusals = collector(client, "connect_error")
        expired = access_token("user-7", now=utc_now() - timedelta(hours=1))
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(url, auth={"token": expired}, wait_timeout=10)
        refusal = await received(refusals)
        assert "TOKEN_EXPIRED" in str(refusal), refusal


async def test_anonymous_socket_subscribes_to_public_streams(settings: GatewaySettings) -> None:
    async with serving(settings) as (gateway, url):
        client = socketio.AsyncClient()
        stream = collector(client, "stream")
        await client.connect(url, wait_timeout=10)
        try:
            answer = await client.call("subscribe", {"streams": ["btcusdt@depth"]}, timeout=10)
            assert answer == {"result": ["btcusdt@depth"]}
            bad = await client.call("subscribe", {"streams": ["../etc"]}, timeout=10)
            assert bad["error"]["code"] == "INVALID_STREAMS"
            await gateway.realtime.emit_to_stream("ethusdt@depth", {"u": 0})
            await gateway.realtime.emit_to_stream("btcusdt@depth", {"u": 1})
            assert await received(stream) == {"stream": "btcusdt@depth", "data": {"u": 1}}
        finally:
            await client.disconnect()


@pytest.mark.redis
async def test_emits_reach_sockets_of_another_gateway_process_via_redis(
    settings_factory: Callable[..., Any], redis_url: str
) -> None:
    settings = settings_factory(GatewaySettings, redis_url=redis_url)
    async with serving(settings) as (_, url_a), serving(settings) as (gateway_b, _):
        client = socketio.AsyncClient()
        inbox = collector(client, "balance.update")
        await client.connect(url_a, auth={"token": access_token("user-r")}, wait_timeout=10)
        try:
            deadline = asyncio.get_running_loop().time() + 10
            while inbox.empty():  # the Redis listener of process A may still be subscribing
                await gateway_b.realtime.emit_to_user("user-r", "balance.update", {"v": 1})
                await asyncio.sleep(0.2)  # re-emit until A's Redis listener is subscribed
                assert asyncio.get_running_loop().time() < deadline, "no cross-process emit"
            assert await received(inbox) == {"v": 1}
        finally:
            await client.disconnect()
