"""The sink's ticks: a burst of commands is one message per stream per tick, the 24 h
ticker goes out at most once per slow tick, and an idle sink runs no timer."""

from __future__ import annotations

import asyncio
from typing import Any

from burency_testing.waiting import eventually
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import (
    AddMarket,
    Command,
    MarketSpec,
    OrderType,
    PlaceOrder,
    Side,
    TransferIn,
)
from burency_trading.service.marketdata.sink import MarketDataSink
from burency_trading.service.ports import CommandResult

SPEC = MarketSpec(
    symbol="BTC/AED", base="BTC", quote="AED", base_scale=8, quote_scale=2, tick_size="0.01",
    lot_size="0.0001", min_qty=1, max_qty=100_000, min_notional=1, maker_ppm=1_000,
    taker_ppm=2_000,
)  # fmt: skip


class TimedPublisher:
    """Records each message with the loop time it was published at."""

    def __init__(self) -> None:
        self.streams: list[tuple[float, str, Any]] = []
        self.users: list[tuple[str, str, Any]] = []

    async def publish_stream(self, stream: str, data: Any) -> None:
        self.streams.append((asyncio.get_running_loop().time(), stream, data))

    async def publish_user(self, user_id: str, event: str, data: Any) -> None:
        self.users.append((user_id, event, data))

    def on(self, stream: str) -> list[tuple[float, Any]]:
        return [(at, data) for at, name, data in self.streams if name == stream]


class Feeder:
    def __init__(self) -> None:
        self.engine = Engine()
        self.seq = 0

    def run(self, commands: list[Command]) -> list[CommandResult]:
        out = []
        for command in commands:
            self.seq += 1
            ts = 1_700_000_000_000_000 + self.seq
            out.append(
                CommandResult(self.seq, ts, command, self.engine.apply(command, self.seq, ts))
            )
        return out


def limit(user: str, side: Side, price: int, qty: int = 1) -> PlaceOrder:
    return PlaceOrder(user, "BTC/AED", side, OrderType.LIMIT, qty=qty, price=price)


async def test_a_burst_is_one_message_per_stream_per_tick_and_idle_runs_nothing() -> None:
    publisher = TimedPublisher()
    sink = MarketDataSink(publisher=publisher, fast_seconds=0.05, slow_seconds=0.5)
    feeder = Feeder()
    setup = [AddMarket(SPEC), TransferIn("a", "alice", "BTC", 10**9),
             TransferIn("b", "bob", "AED", 10**10)]  # fmt: skip
    await sink.handle(feeder.run(setup))
    sink.start()
    try:
        burst = [limit("alice", Side.SELL, 20_000_000 + i) for i in range(50)]
        burst += [limit("bob", Side.BUY, 20_000_010, qty=3)]  # takes the 3 best asks
        await sink.handle(feeder.run(burst))
        await eventually(lambda: _true(sink.idle and bool(publisher.on("btcaed@ticker"))),
                         "the sink to publish and go idle")  # fmt: skip
        depth = publisher.on("btcaed@depth@100ms")
        assert len(depth) == 1  # 51 commands, one tick: one merged diff
        diff = depth[0][1]
        assert diff["U"] == 4
        assert diff["u"] == feeder.seq
        assert diff["pu"] == 0
        assert len(diff["a"]) == 50  # every level the burst touched, absolute values
        assert diff["a"][0] == ["200000.00", "0.0000"]  # the first ask was taken
        trades = publisher.on("btcaed@trade")
        assert len(trades) == 1
        assert [t["p"] for t in trades[0][1]] == [
            "200000.00",
            "200000.01",
            "200000.02",
        ]
        assert len(publisher.on("btcaed@bookTicker")) == 1
        assert len(publisher.on("btcaed@kline_1m")) == 1
        assert len(publisher.on("btcaed@depth")) == 1
        assert len(publisher.on("btcaed@ticker")) == 1
        ticks = sink.ticks
        # idle: nothing runs until the next change (no sleep needed to show a timer:
        # the task is parked on its event)
        assert sink.idle
        await sink.handle(feeder.run([limit("bob", Side.BUY, 20_000_010, qty=1)]))
        await eventually(lambda: _true(len(publisher.on("btcaed@ticker")) == 2),
                         "the second ticker")  # fmt: skip
        assert sink.ticks > ticks
        (first, _), (second, _) = publisher.on("btcaed@ticker")
        assert second - first >= 0.5  # at most one ticker per slow tick
        depth = publisher.on("btcaed@depth@100ms")
        assert depth[-1][1]["pu"] == diff["u"]  # the chain goes on
    finally:
        await sink.close()


async def _true(value: bool) -> bool:
    return value


class ListeningPublisher(TimedPublisher):
    """A publisher that knows who has a socket (like the embedded gateway's hub)."""

    def __init__(self, listening: set[str]) -> None:
        super().__init__()
        self.listening = listening

    def has_listener(self, user_id: str) -> bool:
        return user_id in self.listening


async def test_private_reports_go_only_to_users_with_a_socket_and_are_the_same() -> None:
    everyone, only_bob = TimedPublisher(), ListeningPublisher({"bob"})
    sinks = [MarketDataSink(publisher=p, fast_seconds=0.01) for p in (everyone, only_bob)]
    setup = [AddMarket(SPEC), TransferIn("a", "alice", "BTC", 10**9),
             TransferIn("b", "bob", "AED", 10**10)]  # fmt: skip
    flow = [limit("alice", Side.SELL, 20_000_000 + i) for i in range(5)]
    flow += [limit("bob", Side.BUY, 20_000_010, qty=3), limit("bob", Side.BUY, 19_000_000)]
    for sink in sinks:
        feeder = Feeder()  # each sink sees the same deterministic results
        await sink.handle(feeder.run(setup))
        sink.start()
        await sink.handle(feeder.run(flow))
    try:
        await eventually(
            lambda: _true(all(s.idle for s in sinks) and bool(only_bob.users)),
            "both sinks to publish the private messages",
        )
    finally:
        for sink in sinks:
            await sink.close()
    assert {user for user, _, _ in everyone.users} == {"alice", "bob"}
    assert {user for user, _, _ in only_bob.users} == {"bob"}
    bobs = [(event, _without_now(data)) for user, event, data in everyone.users if user == "bob"]
    assert [(event, _without_now(data)) for _, event, data in only_bob.users] == bobs
    fills = [d for _, e, d in only_bob.users if e == "executionReport" and d["x"] == "TRADE"]
    assert [d["z"] for d in fills] == ["0.0001", "0.0002", "0.0003"]  # cumulative, in lots


def _without_now(data: Any) -> Any:
    return {k: v for k, v in data.items() if k != "E"}  # the publishing wall clock
