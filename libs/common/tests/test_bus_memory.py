"""InMemoryBus: the bus contract, plus what embedded mode relies on beyond it."""

from __future__ import annotations

import asyncio
import random

import pytest

from burency_common.bus import (
    BusStoppedError,
    DeadLetter,
    EventBus,
    Handler,
    InMemoryBus,
    RetryPolicy,
)
from burency_common.bus._handling import failure_reason, parse_envelope
from burency_common.events import EventEnvelope
from burency_testing.bus_contract import (
    BusContract,
    Collector,
    envelope,
    failing,
    unique_group,
    unique_topic,
)


class TestInMemoryBusContract(BusContract):
    timeout = 5.0
    quiet_window = 0.05

    def make_bus(self) -> EventBus:
        return InMemoryBus()

    async def publish_raw(self, bus: EventBus, topic: str, raw: bytes, key: str) -> None:
        assert isinstance(bus, InMemoryBus)
        await bus.publish_raw(topic, raw, key=key)


@pytest.fixture
async def bus() -> InMemoryBus:
    return InMemoryBus()


async def test_publish_returns_after_every_group_handled(bus: InMemoryBus) -> None:
    topic, fast, slow = unique_topic(), Collector[EventEnvelope](), Collector[EventEnvelope]()

    async def slow_handler(env: EventEnvelope) -> None:
        for _ in range(20):
            await asyncio.sleep(0)  # yield a few times: publish must still wait
        await slow(env)

    bus.subscribe(topic, group=unique_group(), handler=fast)
    bus.subscribe(topic, group=unique_group(), handler=slow_handler)
    await bus.start()
    await bus.publish(envelope(topic, "k"))
    assert len(fast) == 1
    assert len(slow) == 1
    await bus.stop()


async def test_publish_returns_after_dead_lettering(bus: InMemoryBus) -> None:
    topic, dead = unique_topic(), Collector[DeadLetter]()
    handler, calls = failing(None)
    bus.subscribe(topic, group=unique_group(), handler=handler, retry=RetryPolicy(2, 0.001))
    bus.subscribe_dead_letters(topic, group=unique_group(), handler=dead)
    await bus.start()
    sent = envelope(topic, "k")
    await bus.publish(sent)
    assert calls[sent.id] == 2
    assert [letter.envelope.id for letter in dead.items if letter.envelope] == [sent.id]
    assert [letter.reason for letter in bus.dead_letters] == ["RuntimeError: handler failed"]
    await bus.stop()


async def test_dead_letters_are_kept_without_a_subscriber(bus: InMemoryBus) -> None:
    topic = unique_topic()
    bus.subscribe(topic, group=unique_group(), handler=failing(None)[0], retry=RetryPolicy(1))
    await bus.start()
    await bus.publish_raw(topic, b"garbage")
    await bus.publish(envelope(topic, "k"))
    assert [letter.attempts for letter in bus.dead_letters] == [0, 1]
    await bus.stop()


async def test_concurrent_publishes_keep_per_key_order(bus: InMemoryBus) -> None:
    topic, groups = unique_topic(), [Collector[EventEnvelope](), Collector[EventEnvelope]()]
    rng = random.Random(7)

    def jittery(got: Collector[EventEnvelope]) -> Handler:
        async def handle(env: EventEnvelope) -> None:
            for _ in range(rng.randint(0, 5)):
                await asyncio.sleep(0)  # interleave with the other publishes
            await got(env)

        return handle

    for got in groups:
        bus.subscribe(topic, group=unique_group(), handler=jittery(got))
    await bus.start()
    await asyncio.gather(*(bus.publish(envelope(topic, f"k{i % 3}", i=i)) for i in range(90)))
    for got in groups:
        assert len(got) == 90
        for k in range(3):
            seqs = [env.payload["i"] for env in got.items if env.key == f"k{k}"]
            assert seqs == list(range(k, 90, 3))
    await bus.stop()


async def test_handler_publishing_to_its_own_key_does_not_deadlock(bus: InMemoryBus) -> None:
    topic, got = unique_topic(), Collector[EventEnvelope]()

    async def echo(env: EventEnvelope) -> None:
        await got(env)
        if env.payload["hops"] < 3:
            await bus.publish(envelope(topic, env.key, hops=env.payload["hops"] + 1))

    bus.subscribe(topic, group=unique_group(), handler=echo)
    await bus.start()
    await asyncio.wait_for(bus.publish(envelope(topic, "k", hops=0)), timeout=5)
    # the outer publish waited for the whole cascade it caused
    assert [env.payload["hops"] for env in got.items] == [0, 1, 2, 3]
    await bus.stop()


async def test_stop_abandons_retries_and_the_publisher_knows(bus: InMemoryBus) -> None:
    topic, failed_once = unique_topic(), asyncio.Event()
    broken, calls = failing(None)

    async def handler(env: EventEnvelope) -> None:
        failed_once.set()
        await broken(env)

    slow_retry = RetryPolicy(max_attempts=5, initial_backoff=30, max_backoff=30)
    bus.subscribe(topic, group=unique_group(), handler=handler, retry=slow_retry)
    await bus.start()
    sent = envelope(topic, "k")
    publishing = asyncio.create_task(bus.publish(sent))
    await asyncio.wait_for(failed_once.wait(), timeout=5)
    await asyncio.wait_for(bus.stop(), timeout=5)  # would take 30 s if the retry waited
    with pytest.raises(BusStoppedError):
        await publishing
    assert calls[sent.id] == 1
    assert not bus.dead_letters


async def test_stop_cancels_a_hung_handler_after_the_grace_period() -> None:
    bus, topic, started = InMemoryBus(stop_timeout=0.05), unique_topic(), asyncio.Event()

    async def hung(env: EventEnvelope) -> None:
        started.set()
        await asyncio.Event().wait()

    bus.subscribe(topic, group=unique_group(), handler=hung)
    await bus.start()
    publishing = asyncio.create_task(bus.publish(envelope(topic, "k")))
    await asyncio.wait_for(started.wait(), timeout=5)
    await asyncio.wait_for(bus.stop(), timeout=5)
    with pytest.raises(BusStoppedError):
        await publishing


async def test_publish_requires_start(bus: InMemoryBus) -> None:
    with pytest.raises(BusStoppedError):
        await bus.publish(envelope(unique_topic(), "k"))


async def test_memory_bus_fixture_of_the_plugin_is_started(memory_bus: InMemoryBus) -> None:
    assert await memory_bus.ping()


def test_partition_of_a_key_is_stable() -> None:
    bus = InMemoryBus(partitions=8)
    assert [bus.partition_for(k) for k in ("a", "user-1", "")] == [
        bus.partition_for(k) for k in ("a", "user-1", "")
    ]
    assert {bus.partition_for(f"key-{i}") for i in range(100)} == set(range(8))


def test_failure_reason_is_one_masked_bounded_line() -> None:
    reason = failure_reason(ValueError("bad\n token=abc123 and api_key: 'zzz' " + "y" * 600))
    assert reason.startswith("ValueError: bad token=*** and api_key: '***'")
    assert "abc123" not in reason
    assert "zzz" not in reason
    assert len(reason) == 500
    assert reason.endswith("...")
    assert failure_reason(KeyError()) == "KeyError"


def test_parse_envelope_reasons_do_not_echo_the_input() -> None:
    ok = envelope("t", "k")
    assert parse_envelope(ok.to_bytes()) == EventEnvelope.from_bytes(ok.to_bytes())
    assert parse_envelope(None) == "malformed envelope: empty message"
    assert parse_envelope(b"{nope").startswith("malformed envelope: invalid JSON")  # type: ignore[union-attr]
    reason = parse_envelope(b'{"type": "t", "key": "secret-value"}')
    assert isinstance(reason, str)
    assert reason.startswith("malformed envelope: 1 validation error(s), first: producer")
    assert "secret-value" not in reason
    assert parse_envelope(b"\xff").startswith("malformed envelope: ")  # type: ignore[union-attr]


async def test_handler_logs_carry_the_producers_request_id() -> None:
    import structlog

    from burency_common.events import TraceContext
    from burency_common.logging import current_request_id

    seen: list[str | None] = []

    async def handler(envelope: EventEnvelope) -> None:
        seen.append(current_request_id())
        assert structlog.contextvars.get_contextvars()["event_id"] == envelope.id

    bus = InMemoryBus()
    bus.subscribe("t.logs", group="g", handler=handler)
    await bus.start()
    envelope = EventEnvelope(
        type="t.logs", producer="p", key="k", trace=TraceContext(request_id="req-42")
    )
    await bus.publish(envelope)
    await bus.stop()
    assert seen == ["req-42"]
    assert current_request_id() is None, "the binding does not leak out of the handler"
