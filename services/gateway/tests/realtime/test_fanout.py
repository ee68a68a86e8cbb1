"""Fan-out: the hand-off queue, and a client too far behind is dropped, not waited for."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import socketio
from websockets.asyncio.client import connect as ws_connect

from burency_gateway.realtime_fanout import FanoutSocket, HandoffQueue
from burency_gateway.settings import GatewaySettings
from burency_testing.waiting import eventually

from .support import collector, edge, received


async def test_handoff_queue_hands_a_packet_to_a_waiting_reader() -> None:
    queue = HandoffQueue()
    waiting = queue.get()
    queue.put_nowait("a")
    queue.put_nowait("b")
    assert await waiting == "a"
    assert queue.qsize() == 1
    assert await queue.get() == "b"
    queue.task_done()
    queue.task_done()
    await asyncio.wait_for(queue.join(), 1)


async def test_handoff_queue_after_a_reader_timed_out() -> None:
    queue = HandoffQueue()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(queue.get(), 0.01)
    queue.put_nowait("late")  # the cancelled reader does not swallow it
    assert queue.get_nowait() == "late"
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()


async def test_abandon_drops_the_backlog_and_ends_the_writer() -> None:
    queue = HandoffQueue()
    for i in range(5):
        queue.put_nowait(i)
    queue.abandon()
    assert await queue.get() is None
    assert queue.empty()


@pytest.fixture
def settings(settings_factory: Callable[..., Any]) -> GatewaySettings:
    result: GatewaySettings = settings_factory(GatewaySettings)
    return result


async def test_a_client_that_stops_reading_is_dropped_and_others_keep_up(
    settings: GatewaySettings,
) -> None:
    """The server forgets it (rooms, session) at once; its TCP connection, whose send
    buffer is full, is left to the server's keepalive: no more packets are queued for it."""
    async with edge(settings) as (gateway, url):
        gateway.realtime.manager.max_queued = 8
        fast = socketio.AsyncClient()
        inbox = collector(fast, "stream")
        await fast.connect(url, wait_timeout=10)
        await fast.call("subscribe", {"streams": ["btcaed@trade"]}, timeout=10)
        ws_url = url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
        async with ws_connect(ws_url, max_queue=1, compression=None) as slow:
            await slow.recv()  # engine.io OPEN
            await slow.send("40")
            await slow.recv()  # socket.io CONNECT
            await slow.send('420["subscribe",{"streams":["btcaed@trade"]}]')
            assert json.loads((await slow.recv())[3:]) == [{"result": ["btcaed@trade"]}]
            # from now on the slow client reads nothing
            big = "x" * 200_000
            for i in range(200):
                await gateway.realtime.publish_stream("btcaed@trade", {"i": i, "pad": big})
                assert (await received(inbox))["data"]["i"] == i
            await eventually(
                lambda: _true(gateway.realtime.manager.shed == 1), "the slow client dropped"
            )
            room = gateway.realtime.server.manager.rooms["/"]["stream:btcaed@trade"]
            await eventually(lambda: _true(len(room) == 1), "only the fast client is left")
            slow.transport.abort()  # it never reads its close frame either
        await fast.disconnect()


async def _true(value: bool) -> bool:
    return value


@pytest.mark.parametrize("transports", [["websocket"], ["polling"], ["polling", "websocket"]])
async def test_every_transport_receives_room_emits(
    settings: GatewaySettings, transports: list[str]
) -> None:
    async with edge(settings) as (gateway, url):
        eio = gateway.realtime.server.eio
        eio.ping_interval, eio.ping_timeout = 1, 1  # an idle long-poll ends soon at shutdown
        client = socketio.AsyncClient()
        inbox = collector(client, "stream")
        await client.connect(url, transports=transports, wait_timeout=10)
        try:
            await client.call("subscribe", {"streams": ["btcaed@ticker"]}, timeout=10)
            for i in range(3):
                await gateway.realtime.publish_stream("btcaed@ticker", {"i": i})
            assert [(await received(inbox))["data"]["i"] for _ in range(3)] == [0, 1, 2]
            sockets = list(gateway.realtime.server.eio.sockets.values())
            assert [type(s) for s in sockets] == [FanoutSocket]
        finally:
            await client.disconnect()
