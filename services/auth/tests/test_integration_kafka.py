"""Registration on real PostgreSQL + Kafka: ``user.registered`` reaches Kafka once per user,
even when the outbox relay dies part-way and another relay takes over.

What "exactly one" means here: the outbox relay publishes *at least once*. If it dies
between two batches (its last batch committed as sent), the survivor publishes only what
is left, so every event is on Kafka exactly once. If it dies *inside* a batch, the rows it
already sent are not marked and the survivor sends them again with the same event id, so
the topic may hold two copies of one event; consumers dedupe by event id (their inbox),
which the test does too: exactly one distinct ``user.registered`` event, with one effect,
per registered user, and no user without one.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from burency_auth.adapters.orm import outbox
from burency_auth.component import MIGRATIONS, build_component
from burency_auth.service.registration import register
from burency_auth.settings import AuthSettings
from burency_common.bus import EventBus, KafkaBus
from burency_common.db import migrate
from burency_common.events import USER_REGISTERED, EventEnvelope
from burency_common.outbox import OutboxRelay

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

USERS = 3  # each registration writes 3 outbox rows: user.registered, welcome, verify


class RelayCrash(ConnectionError):
    """The simulated death of a relay process in the middle of its work."""


class RedirectingBus(EventBus):
    """Publishes to this test's own topics; can die after ``fail_after`` publishes."""

    def __init__(self, inner: KafkaBus, prefix: str, fail_after: int | None = None) -> None:
        self.inner = inner
        self.prefix = prefix
        self.fail_after = fail_after
        self.published = 0

    def subscribe(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError

    def subscribe_dead_letters(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError

    async def publish(self, envelope: EventEnvelope, *, topic: str | None = None) -> None:
        if self.fail_after is not None and self.published >= self.fail_after:
            raise RelayCrash("relay died")
        await self.inner.publish(envelope, topic=f"{self.prefix}.{topic or envelope.type}")
        self.published += 1

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()

    async def ping(self) -> bool:
        return await self.inner.ping()


async def _pending(engine: object) -> int:
    async with engine.connect() as conn:  # type: ignore[attr-defined]
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return int(await conn.scalar(query) or 0)


async def _run_relay(
    bootstrap: str, prefix: str, engine: object, *, fail_after: int | None = None
) -> int:
    """One relay "process" publishing batches of 3 rows; may die after ``fail_after``."""
    bus = RedirectingBus(KafkaBus(bootstrap, client_id="auth-relay"), prefix, fail_after)
    await bus.start()
    try:
        relay = OutboxRelay(engine=engine, outbox=outbox, bus=bus, batch_size=3)  # type: ignore[arg-type]
        return await relay.drain()
    finally:
        await bus.stop()


async def _wait_for(deliveries: Counter[str], expected: int) -> None:
    deadline = asyncio.get_running_loop().time() + 60
    while sum(deliveries.values()) < expected:
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"only {sum(deliveries.values())} of {expected} deliveries")
        await asyncio.sleep(0.05)  # polling with a deadline


async def _flush(bootstrap: str, topic: str, keys: set[str], markers: set[str]) -> None:
    """Publish a marker per key and wait for all: each follows, on its key's partition,
    everything the relays published before it, so any unexpected duplicate is in by then."""
    bus = KafkaBus(bootstrap, client_id="auth-it-markers")
    await bus.start()
    try:
        for key in keys:
            marker = EventEnvelope(type=topic, producer="test", key=key, payload={"marker": True})
            await bus.publish(marker, topic=topic)
            markers.add(marker.id)
    finally:
        await bus.stop()


@pytest.mark.parametrize(
    ("fail_after", "duplicates"),
    [(3, 0), (4, 1)],
    ids=["relay-dies-between-batches", "relay-dies-inside-a-batch"],
)
async def test_each_registration_reaches_kafka_once_across_a_relay_restart(
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    unique_topic: Callable[[str], str],
    settings_factory: Callable[..., AuthSettings],
    fail_after: int,
    duplicates: int,
) -> None:
    settings = settings_factory(
        AuthSettings,
        database_url=postgres_database_factory(),
        data_key="k" * 32,
        argon2_time_cost=1,
        argon2_memory_cost_kib=64,
    )
    component = build_component(settings)
    await migrate(component.engine, MIGRATIONS)
    prefix = unique_topic("auth")
    deliveries: Counter[str] = Counter()
    users: dict[str, str] = {}

    markers: set[str] = set()
    seen_markers: set[str] = set()

    async def on_registered(envelope: EventEnvelope) -> None:
        if envelope.payload.get("marker"):
            seen_markers.add(envelope.id)
            return
        deliveries[envelope.id] += 1
        users[envelope.id] = str(envelope.payload["user_id"])

    consumer = KafkaBus(kafka_bootstrap, client_id="auth-it-consumer")
    consumer.subscribe(f"{prefix}.{USER_REGISTERED}", group=f"{prefix}.g", handler=on_registered)
    await consumer.start()
    try:
        await consumer.wait_until_assigned(timeout=60)
        for n in range(USERS):
            await register(
                component.context, email=f"kafka{n}@example.com", password="a fine passphrase"
            )
        assert await _pending(component.engine) == USERS * 3
        with pytest.raises(RelayCrash):
            await _run_relay(kafka_bootstrap, prefix, component.engine, fail_after=fail_after)
        assert await _pending(component.engine) == USERS * 3 - 3, "first batch committed"
        assert await _run_relay(kafka_bootstrap, prefix, component.engine) == USERS * 3 - 3
        await _wait_for(deliveries, USERS + duplicates)
        topic = f"{prefix}.{USER_REGISTERED}"
        await _flush(kafka_bootstrap, topic, set(users.values()), markers)
        deadline = asyncio.get_running_loop().time() + 60
        while seen_markers != markers:
            assert asyncio.get_running_loop().time() < deadline, "markers not delivered"
            await asyncio.sleep(0.05)  # polling with a deadline
    finally:
        await consumer.stop()
        await component.stop()

    assert len(deliveries) == USERS, "exactly one distinct user.registered event per user"
    assert sorted(Counter(users.values()).values()) == [1] * USERS
    assert sum(deliveries.values()) == USERS + duplicates
