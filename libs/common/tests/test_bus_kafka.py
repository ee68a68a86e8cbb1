"""KafkaBus against the real broker: the bus contract, plus what only Kafka can show.

The broker comes from ``make infra-up`` (``BURENCY_TEST_KAFKA_BOOTSTRAP``); without it
these tests fail, they never skip.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from burency_common.bus import BusStoppedError, EventBus, KafkaBus, KafkaConsumerSettings
from burency_common.events import EventEnvelope
from burency_testing.bus_contract import (
    BusContract,
    BusPool,
    Collector,
    envelope,
    failing,
    unique_group,
    unique_topic,
)

pytestmark = pytest.mark.kafka

#: Fast group membership for tests (the broker's minimum session timeout is 6 s).
FAST = KafkaConsumerSettings(
    session_timeout_ms=6_000,
    heartbeat_interval_ms=200,
    fetch_max_wait_ms=100,
    poll_timeout_ms=100,
    retry_backoff_ms=50,
)
JOIN_TIMEOUT = 30.0
HOW_TO_START = "run `make infra-up` (or `make test`) and `source var/infra.env`"


async def _probe(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
    try:
        await asyncio.wait_for(admin.start(), timeout=10)
        await asyncio.wait_for(admin.list_topics(), timeout=10)
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def kafka() -> str:
    """The test broker's bootstrap address, once it answered a metadata request."""
    bootstrap = os.environ.get("BURENCY_TEST_KAFKA_BOOTSTRAP")
    if not bootstrap:
        pytest.fail(
            f"Kafka not reachable: BURENCY_TEST_KAFKA_BOOTSTRAP is not set: {HOW_TO_START}",
            pytrace=False,
        )
    try:
        asyncio.run(_probe(bootstrap))
    except Exception as exc:
        pytest.fail(f"Kafka not reachable at {bootstrap} ({exc!r}): {HOW_TO_START}", pytrace=False)
    return bootstrap


def new_bus(bootstrap: str, **options: Any) -> KafkaBus:
    options.setdefault("consumer_settings", FAST)
    return KafkaBus(bootstrap, client_id=f"test-{uuid.uuid4().hex[:8]}", **options)


async def start_and_join(bus: EventBus) -> None:
    assert isinstance(bus, KafkaBus)
    await bus.start()
    await bus.wait_until_assigned(JOIN_TIMEOUT)


async def produce_raw(bootstrap: str, topic: str, raw: bytes, key: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        await producer.start()
        await producer.send_and_wait(topic, value=raw, key=key.encode())
    finally:
        await producer.stop()


class TestKafkaBusContract(BusContract):
    timeout = 30.0

    @pytest.fixture(autouse=True)
    def _broker(self, kafka: str) -> None:
        self.bootstrap = kafka

    def make_bus(self) -> EventBus:
        return new_bus(self.bootstrap)

    async def start_bus(self, bus: EventBus) -> None:
        await start_and_join(bus)

    async def publish_raw(self, bus: EventBus, topic: str, raw: bytes, key: str) -> None:
        await produce_raw(self.bootstrap, topic, raw, key)


@pytest.fixture
async def pool(kafka: str) -> AsyncIterator[BusPool]:
    buses = BusPool(lambda: new_bus(kafka), start_and_join)
    yield buses
    await buses.stop_all()


async def read_all(bootstrap: str, topic: str, count: int, timeout: float = 20) -> list[Any]:
    """The first ``count`` records of ``topic`` (all partitions, no consumer group)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    try:
        await consumer.start()  # no group: every partition is assigned, read from the start
        records: list[Any] = []
        async with asyncio.timeout(timeout):
            while len(records) < count:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def test_wire_format_and_dead_letter_commit(kafka: str, pool: BusPool) -> None:
    """Record key/headers; DLQ record value/headers; a dead-lettered record is committed."""
    topic, group, dead = unique_topic("wire"), unique_group(), Collector[Any]()
    handler, calls = failing(None, message="boom")
    bus = pool.new()
    bus.subscribe(topic, group=group, handler=handler, retry=BusContract.retry)
    bus.subscribe_dead_letters(topic, group=unique_group("dlq"), handler=dead)
    await pool.start(bus)
    poison = envelope(topic, "acct-7", n=1)
    await bus.publish(poison)
    await dead.wait_for(1, timeout=20)
    [original] = await read_all(kafka, topic, 1)
    assert original.key == b"acct-7"
    assert EventEnvelope.from_bytes(original.value).id == poison.id
    assert dict(original.headers) == {"event-type": topic.encode(), "event-id": poison.id.encode()}
    [letter] = await read_all(kafka, f"{topic}.DLQ", 1)
    assert (letter.key, letter.value) == (original.key, original.value)
    assert dict(letter.headers) == {
        "event-type": topic.encode(),
        "event-id": poison.id.encode(),
        "dlq-reason": b"RuntimeError: boom",
        "dlq-original-topic": topic.encode(),
        "dlq-attempts": b"3",
    }
    await bus.stop()
    # the same group, restarted, must not see the dead-lettered record again
    got = Collector[EventEnvelope]()
    again = pool.new()
    again.subscribe(topic, group=group, handler=got)
    await pool.start(again)
    after = envelope(topic, "acct-7", n=2)
    await again.publish(after)
    assert [e.id for e in await got.wait_for(1, timeout=20)] == [after.id]
    await got.expect_no_more(within=0.3)
    assert calls[poison.id] == 3


async def test_consumer_stopped_mid_handler_does_not_commit(kafka: str, pool: BusPool) -> None:
    topic, group, started = unique_topic("abrupt"), unique_group(), Collector[EventEnvelope]()

    async def stuck(env: EventEnvelope) -> None:
        await started(env)
        await asyncio.Event().wait()  # never finishes: stop() must cancel it

    first = new_bus(kafka, stop_timeout=0.2)
    first.subscribe(topic, group=group, handler=stuck)
    await start_and_join(first)
    sent = envelope(topic, "k")
    try:
        await first.publish(sent)
        await started.wait_for(1, timeout=20)
    finally:
        await first.stop()
    got = Collector[EventEnvelope]()
    second = pool.new()
    second.subscribe(topic, group=group, handler=got)
    await pool.start(second)
    [again] = await got.wait_for(1, timeout=20)
    assert again.id == sent.id


_VICTIM = """
import asyncio, sys
from burency_common.bus import KafkaBus, KafkaConsumerSettings

async def main(bootstrap, topic, group, instance_id="", session_ms="6000"):
    settings = KafkaConsumerSettings(
        session_timeout_ms=int(session_ms), heartbeat_interval_ms=200, fetch_max_wait_ms=100,
        poll_timeout_ms=100, instance_id=instance_id or None,
    )
    bus = KafkaBus(bootstrap, client_id="victim", consumer_settings=settings)

    async def handler(env):
        sys.stdout.write(f"handling {env.id}\\n")
        sys.stdout.flush()
        await asyncio.Event().wait()

    bus.subscribe(topic, group=group, handler=handler)
    await bus.start()
    await bus.wait_until_assigned(30)
    sys.stdout.write("assigned\\n")
    sys.stdout.flush()
    await asyncio.Event().wait()

asyncio.run(main(*sys.argv[1:]))
"""


async def _expect_line(proc: asyncio.subprocess.Process, wanted: str, timeout: float) -> None:
    assert proc.stdout is not None
    async with asyncio.timeout(timeout):
        while line := await proc.stdout.readline():
            if line.decode().strip() == wanted:
                return
    pytest.fail(f"consumer process exited (rc={proc.returncode}) before printing {wanted!r}")


async def test_consumer_killed_mid_handler_gets_message_redelivered(
    kafka: str, pool: BusPool, tmp_path: Path
) -> None:
    """A real consumer process SIGKILLed inside its handler never committed: the group
    hands the message to the next consumer."""
    topic, group = unique_topic("sigkill"), unique_group()
    with (tmp_path / "victim.log").open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _VICTIM,
            kafka,
            topic,
            group,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )
    try:
        await _expect_line(proc, "assigned", timeout=JOIN_TIMEOUT)
        publisher = pool.new()
        await pool.start(publisher)
        sent = envelope(topic, "k")
        await publisher.publish(sent)
        await _expect_line(proc, f"handling {sent.id}", timeout=20)
    finally:
        proc.kill()
        await proc.wait()
    got = Collector[EventEnvelope]()
    survivor = pool.new()
    survivor.subscribe(topic, group=group, handler=got)
    await pool.start(survivor)  # waits out the dead member's session timeout
    [again] = await got.wait_for(1, timeout=20)
    assert again.id == sent.id


async def test_a_static_member_killed_and_restarted_resumes_before_its_session_ends(
    kafka: str, pool: BusPool, tmp_path: Path
) -> None:
    """With an instance id (static membership), a consumer process SIGKILLed and started
    again takes its partitions back at once: its group does not wait out the dead
    member's 60 s session (a dynamic member's successor would: the join below would time
    out after 30 s), and the unacknowledged message is handled again."""
    topic, group, session_ms = unique_topic("static"), unique_group(), 60_000
    with (tmp_path / "victim.log").open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _VICTIM, kafka, topic, group, "node-1", str(session_ms),
            stdout=asyncio.subprocess.PIPE, stderr=log,
        )  # fmt: skip
    try:
        await _expect_line(proc, "assigned", timeout=JOIN_TIMEOUT)
        publisher = pool.new()
        await pool.start(publisher)
        sent = envelope(topic, "k")
        await publisher.publish(sent)
        await _expect_line(proc, f"handling {sent.id}", timeout=20)
    finally:
        proc.kill()
        await proc.wait()
    got = Collector[EventEnvelope]()
    static = KafkaConsumerSettings(
        session_timeout_ms=session_ms, heartbeat_interval_ms=200, fetch_max_wait_ms=100,
        poll_timeout_ms=100, retry_backoff_ms=50, instance_id="node-1",
    )  # fmt: skip
    restarted = new_bus(kafka, consumer_settings=static)  # the process, started again
    pool.buses.append(restarted)  # stopped at teardown
    restarted.subscribe(topic, group=group, handler=got)
    await pool.start(restarted)  # JOIN_TIMEOUT (30 s) < the dead member's session (60 s)
    [again] = await got.wait_for(1, timeout=20)
    assert again.id == sent.id


async def test_rebalance_hands_partitions_over_without_loss_or_reorder(pool: BusPool) -> None:
    topic, group = unique_topic("rebalance"), unique_group()
    log = Collector[tuple[str, int, str]]()  # (key, seq, consumer) in handling order

    def handler(name: str) -> Any:
        async def handle(env: EventEnvelope) -> None:
            await asyncio.sleep(0.002)  # a little work, so the rebalance lands mid-stream
            await log((env.key, env.payload["seq"], name))

        return handle

    first = pool.new()
    first.subscribe(topic, group=group, handler=handler("first"))
    await pool.start(first)
    sent = [envelope(topic, f"key-{i % 12}", seq=i) for i in range(240)]
    for env in sent[:120]:
        await first.publish(env)
    second = pool.new()
    second.subscribe(topic, group=group, handler=handler("second"))
    await pool.start(second)  # joins while `first` is busy: partitions move
    for env in sent[120:]:
        await first.publish(env)
    handled = await log.wait_for(len(sent), timeout=30)
    await log.expect_no_more(within=0.3)
    assert {(k, s) for k, s, _ in handled} == {(e.key, e.payload["seq"]) for e in sent}
    assert {name for *_, name in handled} == {"first", "second"}
    assert len(handled) == len(sent), "a record was handled twice across the rebalance"
    for key in {env.key for env in sent}:
        seqs = [seq for k, seq, _ in handled if k == key]
        assert seqs == sorted(seqs), f"{key} reordered across the rebalance: {seqs}"


async def test_start_creates_topics_and_dead_letter_topics(kafka: str) -> None:
    topic = unique_topic("create")
    bus = new_bus(kafka, topic_partitions=2)
    bus.subscribe(topic, group=unique_group(), handler=Collector[EventEnvelope]())
    await bus.start()
    try:
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
        try:
            await admin.start()
            described = await admin.describe_topics([topic, f"{topic}.DLQ"])
        finally:
            await admin.close()
        assert {t["topic"]: len(t["partitions"]) for t in described} == {
            topic: 2,
            f"{topic}.DLQ": 2,
        }
        assert await bus.ping() is True
    finally:
        await bus.stop()


async def test_unreachable_broker_fails_start_and_ping() -> None:
    bus = KafkaBus("127.0.0.1:1", client_id="test-unreachable", request_timeout_ms=2_000)
    with pytest.raises(Exception, match=r"(?i)connect|bootstrap"):
        await bus.start()
    assert await bus.ping() is False
    with pytest.raises(BusStoppedError):
        await bus.publish(envelope("t", "k"))


async def test_a_topic_prefix_keeps_namespaces_apart(kafka: str, pool: BusPool) -> None:
    """Two buses with different prefixes share a broker and a logical topic without
    seeing each other's events; handlers and dead letters speak logical names."""
    topic, group = unique_topic("ns"), unique_group()
    staging, other = f"staging-{uuid.uuid4().hex[:6]}.", f"other-{uuid.uuid4().hex[:6]}."
    got, dead = Collector[EventEnvelope](), Collector[Any]()
    handler, _ = failing(None, message="boom")
    bus = new_bus(kafka, topic_prefix=staging)
    bus.subscribe(topic, group=group, handler=got)
    bus.subscribe(topic, group=unique_group("poison"), handler=handler, retry=BusContract.retry)
    bus.subscribe_dead_letters(topic, group=unique_group("dlq"), handler=dead)
    neighbour = new_bus(kafka, topic_prefix=other)
    await pool.start(bus)
    await neighbour.start()
    try:
        await neighbour.publish(envelope(topic, "k", n=0))  # lands in other.<topic>
        mine = envelope(topic, "k", n=1)
        await bus.publish(mine)
        assert [e.id for e in await got.wait_for(1, timeout=20)] == [mine.id]
        [letter] = await dead.wait_for(1, timeout=20)
        assert letter.original_topic == topic
        [on_broker] = await read_all(kafka, f"{staging}{topic}", 1)
        assert EventEnvelope.from_bytes(on_broker.value).id == mine.id
        await got.expect_no_more(within=0.3)  # the neighbour's event never arrived
    finally:
        await neighbour.stop()
        await bus.stop()


async def test_a_publish_still_unacknowledged_when_the_bus_stops_fails_instead_of_hanging(
    kafka: str,
) -> None:
    """An outbox relay publishing while its process shuts down must get an error (the
    row stays pending for the next start), not an await that never returns. The
    broker's acknowledgement is withheld by holding the producer's answer back."""
    bus = new_bus(kafka)
    await bus.start()
    producer = bus._producer
    never = asyncio.Event()

    async def unacknowledged(*args: Any, **kwargs: Any) -> None:
        await never.wait()

    producer.send_and_wait = unacknowledged
    publishing = asyncio.ensure_future(bus.publish(envelope(unique_topic("stuck"), "k")))
    await asyncio.sleep(0)  # the publish is now waiting for its acknowledgement
    await bus.stop()
    with pytest.raises(BusStoppedError):
        await asyncio.wait_for(publishing, timeout=10)
