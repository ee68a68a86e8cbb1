"""The contract every :class:`~burency_common.bus.port.EventBus` adapter must pass.

Use it by subclassing in a test module::

    class TestInMemoryBus(BusContract):
        def make_bus(self) -> EventBus:
            return InMemoryBus()

        async def publish_raw(self, bus, topic, raw, key): ...

Adapters whose consumers join a group in the background override :meth:`start_bus` to
wait until they are assigned. Every test uses fresh topics and groups
(:func:`unique_topic`, :func:`unique_group`), so tests never see each other's messages,
and waits for results with :meth:`Collector.wait_for` (a deadline, never a bare sleep).
"""

from __future__ import annotations

import asyncio
import uuid
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

import pytest

from burency_common.bus.port import DeadLetter, EventBus, Handler, RetryPolicy
from burency_common.events import EventEnvelope

__all__ = [
    "BusContract",
    "BusPool",
    "Collector",
    "envelope",
    "failing",
    "unique_group",
    "unique_topic",
]

T = TypeVar("T")


def unique_topic(name: str = "bus") -> str:
    """A topic name no other test uses (Kafka-safe: letters, digits, dots, dashes)."""
    return f"test.{name}.{uuid.uuid4().hex[:12]}"


def unique_group(name: str = "group") -> str:
    """A consumer group id no other test uses."""
    return f"test-{name}-{uuid.uuid4().hex[:12]}"


def envelope(topic: str, key: str, **payload: Any) -> EventEnvelope:
    """An envelope of type ``topic`` (so ``publish`` routes it there by default)."""
    return EventEnvelope(type=topic, producer="bus-contract", key=key, payload=payload)


class Collector(Generic[T]):
    """An async handler recording what it receives; tests await counts with a deadline."""

    def __init__(self) -> None:
        self.items: list[T] = []
        self._changed = asyncio.Event()

    async def __call__(self, item: T) -> None:
        self.items.append(item)
        self._changed.set()

    def __len__(self) -> int:
        return len(self.items)

    async def wait_for(self, count: int, *, timeout: float) -> list[T]:  # noqa: ASYNC109
        """Wait until at least ``count`` items arrived; fail the test after ``timeout`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._changed.clear()
            if len(self.items) >= count:
                return list(self.items)
            remaining = deadline - loop.time()
            if remaining <= 0:
                pytest.fail(f"received {len(self.items)} of {count} message(s) within {timeout}s")
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=remaining)
            except TimeoutError:
                continue

    async def expect_no_more(self, *, within: float) -> None:
        """Fail if anything beyond what is already here arrives within ``within`` seconds.

        A negative check needs a time window; it is only used after the expected
        messages have all arrived, to catch duplicates.
        """
        before = len(self.items)
        self._changed.clear()
        try:
            await asyncio.wait_for(self._changed.wait(), timeout=within)
        except TimeoutError:
            return
        pytest.fail(f"unexpected message(s) after the expected {before}: {self.items[before:]}")


def failing(
    times: int | None, then: Handler | None = None, *, message: str = "handler failed"
) -> tuple[Handler, Counter[str]]:
    """A handler raising ``RuntimeError(message)`` on the first ``times`` calls per event id
    (``None``: always), then delegating to ``then``; returns it with its call counter."""
    calls: Counter[str] = Counter()

    async def handler(env: EventEnvelope) -> None:
        calls[env.id] += 1
        if times is None or calls[env.id] <= times:
            raise RuntimeError(message)
        if then is not None:
            await then(env)

    return handler, calls


class BusPool:
    """Buses made during one test; the fixture stops them all at teardown."""

    def __init__(
        self, make: Callable[[], EventBus], start: Callable[[EventBus], Awaitable[None]]
    ) -> None:
        self._make = make
        self._start = start
        self.buses: list[EventBus] = []

    def new(self) -> EventBus:
        bus = self._make()
        self.buses.append(bus)
        return bus

    async def start(self, bus: EventBus) -> EventBus:
        await self._start(bus)
        return bus

    async def stop_all(self) -> None:
        for bus in reversed(self.buses):
            await bus.stop()


class BusContract(ABC):
    """The behaviour both adapters share; see ``burency_common.bus.port`` for the rules."""

    #: Fast retries, so dead-lettering tests take milliseconds.
    retry = RetryPolicy(max_attempts=3, initial_backoff=0.01, max_backoff=0.02)
    #: Seconds a test waits for messages before failing.
    timeout = 20.0
    #: Window in which no duplicate may show up once everything arrived.
    quiet_window = 0.3

    @abstractmethod
    def make_bus(self) -> EventBus:
        """A new, unstarted bus (called once or more per test)."""

    @abstractmethod
    async def publish_raw(self, bus: EventBus, topic: str, raw: bytes, key: str) -> None:
        """Put ``raw`` bytes on ``topic`` as they are, bypassing envelope serialization."""

    async def start_bus(self, bus: EventBus) -> None:
        """Start ``bus`` so that it consumes everything published after this returns."""
        await bus.start()

    @pytest.fixture
    async def buses(self) -> AsyncIterator[BusPool]:
        pool = BusPool(self.make_bus, self.start_bus)
        yield pool
        await pool.stop_all()

    async def test_published_envelope_arrives_intact(self, buses: BusPool) -> None:
        topic, got = unique_topic("intact"), Collector[EventEnvelope]()
        bus = buses.new()
        bus.subscribe(topic, group=unique_group(), handler=got)
        await buses.start(bus)
        sent = envelope(topic, "user-1", amount="12.50", tags=["a", "b"], nested={"x": 1})
        await bus.publish(sent)
        [received] = await got.wait_for(1, timeout=self.timeout)
        assert (received.id, received.type, received.key, received.payload) == (
            sent.id,
            sent.type,
            sent.key,
            sent.payload,
        )
        assert received.producer == sent.producer
        assert received.trace == sent.trace

    async def test_messages_of_one_key_arrive_in_publish_order(self, buses: BusPool) -> None:
        topic, got = unique_topic("order"), Collector[EventEnvelope]()
        bus = buses.new()
        bus.subscribe(topic, group=unique_group(), handler=got)
        await buses.start(bus)
        for seq in range(200):
            await bus.publish(envelope(topic, f"key-{seq % 5}", seq=seq))
        received = await got.wait_for(200, timeout=self.timeout)
        for key in (f"key-{k}" for k in range(5)):
            seqs = [env.payload["seq"] for env in received if env.key == key]
            assert seqs == sorted(seqs), f"{key} out of order: {seqs}"
            assert seqs == list(range(int(key[-1]), 200, 5)), f"{key} lost or repeated: {seqs}"

    async def test_failed_handler_is_retried_then_handled(self, buses: BusPool) -> None:
        topic, got, dead = (
            unique_topic("retry"),
            Collector[EventEnvelope](),
            Collector[DeadLetter](),
        )
        handler, calls = failing(1, got)
        bus = buses.new()
        bus.subscribe(topic, group=unique_group(), handler=handler, retry=self.retry)
        bus.subscribe_dead_letters(topic, group=unique_group("dlq"), handler=dead)
        await buses.start(bus)
        sent = envelope(topic, "k", n=1)
        await bus.publish(sent)
        [received] = await got.wait_for(1, timeout=self.timeout)
        assert received.id == sent.id
        assert calls[sent.id] == 2
        await dead.expect_no_more(within=self.quiet_window)
        assert dead.items == []

    async def test_handler_failing_every_attempt_dead_letters(self, buses: BusPool) -> None:
        topic, dead, got = unique_topic("dlq"), Collector[DeadLetter](), Collector[EventEnvelope]()
        poison = envelope(topic, "k", n=1)
        broken, calls = failing(None, message="ledger unavailable")

        async def handler(env: EventEnvelope) -> None:
            await (broken if env.id == poison.id else got)(env)

        bus = buses.new()
        bus.subscribe(topic, group=unique_group(), handler=handler, retry=self.retry)
        bus.subscribe_dead_letters(topic, group=unique_group("dlq"), handler=dead)
        await buses.start(bus)
        await bus.publish(poison)
        [letter] = await dead.wait_for(1, timeout=self.timeout)
        assert calls[poison.id] == self.retry.max_attempts
        assert letter.attempts == self.retry.max_attempts
        assert letter.original_topic == topic
        assert letter.reason == "RuntimeError: ledger unavailable"
        assert letter.envelope is not None
        assert letter.envelope.id == poison.id
        assert EventEnvelope.from_bytes(letter.raw).id == poison.id
        after = envelope(topic, "k", n=2)  # the consumer carries on with the same key
        await bus.publish(after)
        [received] = await got.wait_for(1, timeout=self.timeout)
        assert received.id == after.id
        assert calls[poison.id] == self.retry.max_attempts

    async def test_dead_letter_reason_masks_secrets_and_is_bounded(self, buses: BusPool) -> None:
        topic, dead = unique_topic("secret"), Collector[DeadLetter]()
        text = "connect postgresql://app:hunter2@db/x failed, password=hunter2 " + "x" * 2000
        handler, _ = failing(None, message=text)
        bus = buses.new()
        bus.subscribe(topic, group=unique_group(), handler=handler, retry=self.retry)
        bus.subscribe_dead_letters(topic, group=unique_group("dlq"), handler=dead)
        await buses.start(bus)
        await bus.publish(envelope(topic, "k"))
        [letter] = await dead.wait_for(1, timeout=self.timeout)
        assert letter.reason.startswith("RuntimeError: connect postgresql://app:***@db/x")
        assert "hunter2" not in letter.reason
        assert len(letter.reason) <= 500

    async def test_consumers_of_one_group_share_keys(self, buses: BusPool) -> None:
        topic, group, everything = unique_topic("share"), unique_group(), Collector[EventEnvelope]()
        first, second = Collector[EventEnvelope](), Collector[EventEnvelope]()
        bus = buses.new()
        for mine in (first, second):
            bus.subscribe(topic, group=group, handler=_tee(mine, everything))
        await buses.start(bus)
        sent = [envelope(topic, f"key-{i % 30}", i=i) for i in range(90)]
        for env in sent:
            await bus.publish(env)
        await everything.wait_for(len(sent), timeout=self.timeout)
        await everything.expect_no_more(within=self.quiet_window)
        assert sorted(e.id for e in everything.items) == sorted(e.id for e in sent)
        assert first.items, "the first consumer got nothing"
        assert second.items, "the second consumer got nothing"
        assert not {e.key for e in first.items} & {e.key for e in second.items}

    async def test_every_group_receives_every_message(self, buses: BusPool) -> None:
        topic = unique_topic("groups")
        groups = [Collector[EventEnvelope]() for _ in range(2)]
        bus = buses.new()
        for got in groups:
            bus.subscribe(topic, group=unique_group(), handler=got)
        await buses.start(bus)
        sent = [envelope(topic, f"key-{i % 4}", i=i) for i in range(20)]
        for env in sent:
            await bus.publish(env)
        for got in groups:
            await got.wait_for(len(sent), timeout=self.timeout)
        for got in groups:
            await got.expect_no_more(within=self.quiet_window)
            assert sorted(e.id for e in got.items) == sorted(e.id for e in sent)

    async def test_malformed_message_goes_to_dead_letters(self, buses: BusPool) -> None:
        topic, dead, got = (
            unique_topic("malformed"),
            Collector[DeadLetter](),
            Collector[EventEnvelope](),
        )
        bus = buses.new()
        bus.subscribe(topic, group=unique_group(), handler=got, retry=self.retry)
        bus.subscribe_dead_letters(topic, group=unique_group("dlq"), handler=dead)
        await buses.start(bus)
        for raw in (b"\xff not json", b'{"type": "x"}'):
            await self.publish_raw(bus, topic, raw, "k")
        letters = await dead.wait_for(2, timeout=self.timeout)
        assert [letter.raw for letter in letters] == [b"\xff not json", b'{"type": "x"}']
        assert all(letter.reason.startswith("malformed envelope: ") for letter in letters)
        assert all(letter.envelope is None and letter.attempts == 0 for letter in letters)
        good = envelope(topic, "k")
        await bus.publish(good)  # the consumer survived both
        [received] = await got.wait_for(1, timeout=self.timeout)
        assert received.id == good.id

    async def test_handler_may_publish_while_handling(self, buses: BusPool) -> None:
        first, second, got = (
            unique_topic("first"),
            unique_topic("second"),
            Collector[EventEnvelope](),
        )
        bus = buses.new()

        async def forward(env: EventEnvelope) -> None:
            await bus.publish(envelope(second, env.key, cause=env.id))

        bus.subscribe(first, group=unique_group(), handler=forward)
        bus.subscribe(second, group=unique_group(), handler=got)
        await buses.start(bus)
        sent = envelope(first, "k")
        await bus.publish(sent)
        [received] = await got.wait_for(1, timeout=self.timeout)
        assert received.payload == {"cause": sent.id}

    async def test_ping_and_lifecycle(self, buses: BusPool) -> None:
        bus = buses.new()
        bus.subscribe(
            unique_topic("ping"), group=unique_group(), handler=Collector[EventEnvelope]()
        )
        assert await bus.ping() is False
        await buses.start(bus)
        assert await bus.ping() is True
        with pytest.raises(RuntimeError):
            bus.subscribe(
                unique_topic("late"), group=unique_group(), handler=Collector[EventEnvelope]()
            )
        await bus.stop()
        assert await bus.ping() is False


def _tee(*targets: Collector[EventEnvelope]) -> Handler:
    async def handler(env: EventEnvelope) -> None:
        for target in targets:
            await target(env)

    return handler
