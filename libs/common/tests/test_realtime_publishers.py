"""The RealtimePublisher implementations of burency_common: the relay and Redis's wire format."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis.asyncio import Redis

from burency_common.realtime import RealtimePublisher
from burency_common.realtime_redis import RedisRealtimePublisher, emit_message
from burency_common.realtime_relay import RealtimeRelay


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, ...]] = []

    async def publish_stream(self, stream: str, data: Any) -> None:
        self.sent.append(("stream", stream, data))

    async def publish_user(self, user_id: str, event: str, data: Any) -> None:
        self.sent.append(("user", user_id, event, data))


async def test_the_relay_drops_until_bound_then_forwards() -> None:
    relay: RealtimePublisher = RealtimeRelay()
    assert isinstance(relay, RealtimeRelay)
    await relay.publish_stream("btcaed@trade", {"t": 1})
    target = Recorder()
    relay.bind(target)
    await relay.publish_stream("btcaed@trade", {"t": 2})
    await relay.publish_user("u-1", "executionReport", {"i": 3})
    relay.unbind()
    await relay.publish_user("u-1", "executionReport", {"i": 4})
    assert target.sent == [
        ("stream", "btcaed@trade", {"t": 2}),
        ("user", "u-1", "executionReport", {"i": 3}),
    ]
    assert relay.dropped == 2


def test_the_redis_message_is_python_socketios_emit() -> None:
    """What ``AsyncPubSubManager.emit`` publishes for ``emit(event, data, room=room)``."""
    message = emit_message("stream", {"stream": "s", "data": 1}, "stream:s", "host-1")
    assert json.loads(json.dumps(message)) == {
        "method": "emit",
        "event": "stream",
        "data": [{"stream": "s", "data": 1}],
        "binary": False,
        "namespace": "/",
        "room": "stream:s",
        "skip_sid": None,
        "callback": None,
        "host_id": "host-1",
    }


@pytest.mark.redis
async def test_a_published_message_is_on_the_channel(redis_url: str) -> None:
    listener: Any = Redis.from_url(redis_url)
    pubsub = listener.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe("socketio-test-publishers")
    publisher = RedisRealtimePublisher(redis_url, channel="socketio-test-publishers")
    try:
        await publisher.publish_user("u-7", "executionReport", {"i": 1})
        got = None
        for _ in range(10):  # the first read may be the (skipped) subscribe confirmation
            got = await pubsub.get_message(timeout=1)
            if got is not None:
                break
        assert got is not None
        body = json.loads(got["data"])
        assert (body["method"], body["room"], body["event"], body["data"]) == (
            "emit",
            "user:u-7",
            "executionReport",
            [{"i": 1}],
        )
        assert publisher.published >= 1
    finally:
        await publisher.aclose()
        await pubsub.aclose()
        await listener.aclose()


class _Holder:
    """A publisher that knows whose sockets it holds (the embedded gateway's hub)."""

    def __init__(self, users: set[str]) -> None:
        self.users = users

    async def publish_stream(self, stream: str, data: Any) -> None:
        del stream, data

    async def publish_user(self, user_id: str, event: str, data: Any) -> None:
        del user_id, event, data

    def has_listener(self, user_id: str) -> bool:
        return user_id in self.users


class _Elsewhere:
    """A publisher whose sockets are in other processes (Redis): it cannot tell."""

    async def publish_stream(self, stream: str, data: Any) -> None:
        del stream, data

    async def publish_user(self, user_id: str, event: str, data: Any) -> None:
        del user_id, event, data


def test_the_relay_says_whose_private_messages_would_reach_a_socket() -> None:
    relay = RealtimeRelay()
    assert not relay.has_listener("alice")  # unbound: everything would be dropped
    relay.bind(_Holder({"alice"}))
    assert relay.has_listener("alice")
    assert not relay.has_listener("bob")
    relay.bind(_Elsewhere())
    assert relay.has_listener("bob")  # it cannot know: assume someone listens
