"""The user service on real PostgreSQL + Kafka.

``user.registered`` goes to the real topic (the topic *is* the event type), so each
test consumes it with its own consumer group and uses fresh user ids; a fresh group
starts at the earliest offset and may also see older registrations, which only add
unrelated profiles to this test's fresh database. A KYC decision reaches Kafka's
``kyc.status_changed`` through the outbox relay running with a ``KafkaBus``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from burency_common.bus import KafkaBus
from burency_common.bus.kafka import KafkaConsumerSettings
from burency_common.events import EventEnvelope
from burency_common.events.kyc import KYC_STATUS_CHANGED
from burency_common.ids import new_id
from burency_testing.waiting import eventually
from burency_users.adapters.orm import inbox, profiles
from burency_users.settings import UsersSettings

from .users_testing.harness import Harness, registered_event, running_harness

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

FAST = KafkaConsumerSettings(session_timeout_ms=6000, heartbeat_interval_ms=1000)


async def _count(h: Harness, table: Any, column: str, value: str) -> int:
    query = select(func.count()).select_from(table).where(table.c[column] == value)
    async with h.component.engine.connect() as conn:
        return int(await conn.scalar(query) or 0)


@pytest.fixture
async def kafka_harness(
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    unique_topic: Callable[[str], str],
    settings_factory: Callable[..., UsersSettings],
) -> AsyncIterator[Harness]:
    settings = settings_factory(UsersSettings, database_url=postgres_database_factory())
    bus = KafkaBus(kafka_bootstrap, client_id="users-it", consumer_settings=FAST)
    async with running_harness(settings, bus=bus, group=unique_topic("users")) as h:
        await bus.wait_until_assigned(timeout=60)
        yield h


async def test_user_registered_delivered_twice_creates_one_profile(
    kafka_harness: Harness,
) -> None:
    h = kafka_harness
    user_id = f"kafka-{new_id()}"
    event = registered_event(user_id, "kafka@example.com")
    await h.bus.publish(event)
    await h.bus.publish(event)  # the same event on Kafka twice

    async def created() -> bool:
        return await _count(h, profiles, "user_id", user_id) == 1

    await eventually(created, "the profile", timeout=60)
    # A marker with the same key lands on the same partition after the duplicate: once
    # it is in the inbox, the duplicate has been handled too.
    marker = registered_event(user_id, "kafka@example.com")
    await h.bus.publish(marker)

    async def marker_handled() -> bool:
        return await _count(h, inbox, "event_id", marker.id) == 1

    await eventually(marker_handled, "the marker behind the duplicate", timeout=60)
    assert await _count(h, profiles, "user_id", user_id) == 1
    assert await _count(h, inbox, "event_id", event.id) == 1
    response = await h.call("GET", "/v1/profile", user_id)
    assert (response.status_code, response.json()["email"]) == (200, "kafka@example.com")


async def test_kyc_approval_reaches_kafka(
    kafka_harness: Harness, kafka_bootstrap: str, unique_topic: Callable[[str], str]
) -> None:
    h = kafka_harness
    user_id = f"kafka-{new_id()}"
    await h.bus.publish(registered_event(user_id, "kyc@example.com"))

    async def created() -> bool:
        return await _count(h, profiles, "user_id", user_id) == 1

    await eventually(created, "the profile", timeout=60)
    await h.reach_level_1(user_id)
    sub_id = (await h.submit_level_2(user_id)).json()["id"]
    path = f"/v1/admin/kyc/submissions/{sub_id}/approve"
    assert (await h.call("POST", path, "reviewer-k", "compliance")).status_code == 200

    seen: dict[str, dict[str, Any]] = {}

    async def record(envelope: EventEnvelope) -> None:
        if envelope.payload.get("user_id") == user_id:
            seen[envelope.id] = envelope.payload

    consumer = KafkaBus(kafka_bootstrap, client_id="users-it-kyc", consumer_settings=FAST)
    consumer.subscribe(KYC_STATUS_CHANGED, group=unique_topic("kyc"), handler=record)
    await consumer.start()
    try:

        async def all_seen() -> bool:
            return len(seen) >= 4

        await eventually(all_seen, "kyc.status_changed on Kafka", timeout=60)
    finally:
        await consumer.stop()
    statuses = sorted((p["requested_level"], p["status"]) for p in seen.values())
    assert statuses == [(1, "APPROVED"), (1, "SUBMITTED"), (2, "APPROVED"), (2, "SUBMITTED")]
    approved = next(
        p for p in seen.values() if p["requested_level"] == 2 and p["status"] == "APPROVED"
    )
    assert (approved["level"], approved["previous_level"], approved["decided_by"]) == (
        2,
        1,
        "reviewer-k",
    )
