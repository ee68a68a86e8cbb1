"""The notification service on real PostgreSQL + Kafka: ``SEND_NOTIFICATION`` (and
``user.registered``) consumed with a unique group and fresh ids; the command published
twice delivers once; an invalid command reaches ``SEND_NOTIFICATION.DLQ``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import select

from burency_common.bus import KafkaBus
from burency_common.bus.kafka import KafkaConsumerSettings
from burency_common.bus.port import DeadLetter
from burency_common.events import SEND_NOTIFICATION
from burency_common.ids import new_id
from burency_notifications.adapters.orm import inbox, recipients
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, eventually, running_harness

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

FAST = KafkaConsumerSettings(session_timeout_ms=6000, heartbeat_interval_ms=1000)


@pytest.fixture
async def kafka_harness(
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    kafka_topic_prefix: str,
    unique_topic: Callable[[str], str],
    make_settings: Callable[..., NotificationsSettings],
) -> AsyncIterator[tuple[Harness, list[DeadLetter]]]:
    settings = make_settings(database_url=postgres_database_factory())
    bus = KafkaBus(
        kafka_bootstrap,
        client_id="notifications-it",
        consumer_settings=FAST,
        topic_prefix=kafka_topic_prefix,
    )
    dead: list[DeadLetter] = []

    async def on_dead(letter: DeadLetter) -> None:
        dead.append(letter)

    group = unique_topic("notifications")
    bus.subscribe_dead_letters(SEND_NOTIFICATION, group=f"{group}-dlq", handler=on_dead)
    async with running_harness(settings, bus=bus, group=group) as h:
        await bus.wait_until_assigned(timeout=60)
        yield h, dead


async def test_command_on_kafka_delivers_once_and_invalid_is_dead_lettered(
    kafka_harness: tuple[Harness, list[DeadLetter]],
) -> None:
    h, dead = kafka_harness
    user = await h.register(f"k-{new_id()[-8:]}@example.com")

    async def known() -> bool:
        async with h.component.engine.connect() as conn:
            found = await conn.scalar(
                select(recipients.c.user_id).where(recipients.c.user_id == user)
            )
        return found is not None

    await eventually(known, "the recipient")  # user.registered is another topic
    note = command("price.alert", [user], data={"symbol": "BTC-USDT", "price": "70000"})
    await h.bus.publish(note)
    await h.bus.publish(note)  # the same command on Kafka twice
    bad = command("no.such_event", [user])
    await h.bus.publish(bad)
    rows = await h.settled(note.payload["notification_id"], 4)
    assert {c: r.status for (_, c), r in rows.items()} == {
        "email": "sent", "in_app": "sent", "push": "skipped", "sms": "skipped",
    }  # fmt: skip
    deadline = asyncio.get_running_loop().time() + 60
    while not any(d.envelope and d.envelope.id == bad.id for d in dead):
        assert asyncio.get_running_loop().time() < deadline, "no dead letter"
        await asyncio.sleep(0.1)
    [letter] = [d for d in dead if d.envelope and d.envelope.id == bad.id]
    assert "unknown notification event" in letter.reason
    # A marker with the same key (notification id) follows the duplicate on its partition:
    # once the marker is in the inbox, the duplicate has been handled too.
    marker = command(
        "price.alert",
        [user],
        notification_id=note.payload["notification_id"],
        data=note.payload["data"],
    )
    await h.bus.publish(marker)

    async def marker_handled() -> bool:
        async with h.component.engine.connect() as conn:
            return (
                await conn.scalar(select(inbox.c.event_id).where(inbox.c.event_id == marker.id))
                is not None
            )

    await eventually(marker_handled, "the marker behind the duplicate")
    feed = (await h.call("GET", "/v1/notifications", user)).json()
    assert feed["unreadCount"] == 1
