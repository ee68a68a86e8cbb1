"""Push and mass notifications on real PostgreSQL + Kafka: a ``SEND_NOTIFICATION`` for
one user and a ``kyc.status_changed`` + segment command arrive over Kafka, our FCM
client delivers to the local FCM server; the command published twice sends once."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import select

from burency_common.bus import KafkaBus
from burency_common.bus.kafka import KafkaConsumerSettings
from burency_notifications.adapters.orm import recipient_kyc, recipients
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, eventually, running_harness
from .notifications_testing.push_env import (
    Fcm,
    add_device,
    announcement_done,
    fcm_token,
    kyc_event,
    local_fcm,
)

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

FAST = KafkaConsumerSettings(session_timeout_ms=6000, heartbeat_interval_ms=1000)


@pytest.fixture
async def fcm() -> AsyncIterator[Fcm]:
    async with local_fcm() as server:
        yield server


@pytest.fixture
async def kafka_harness(
    fcm: Fcm,
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    kafka_topic_prefix: str,
    unique_topic: Callable[[str], str],
    make_settings: Callable[..., NotificationsSettings],
) -> AsyncIterator[Harness]:
    settings = make_settings(**fcm.settings(database_url=postgres_database_factory()))
    bus = KafkaBus(
        kafka_bootstrap,
        client_id="notifications-push-it",
        consumer_settings=FAST,
        topic_prefix=kafka_topic_prefix,
    )
    async with running_harness(settings, bus=bus, group=unique_topic("notifications")) as h:
        await bus.wait_until_assigned(timeout=60)
        yield h


async def _row_exists(h: Harness, table: object, user_id: str) -> bool:
    async with h.component.engine.connect() as conn:
        query = select(table.c.user_id).where(table.c.user_id == user_id)  # type: ignore[attr-defined]
        return await conn.scalar(query) is not None


async def test_push_and_segment_over_kafka(kafka_harness: Harness, fcm: Fcm) -> None:
    h = kafka_harness
    gold, plain = await h.register("gold@example.com"), await h.register("plain@example.com")
    await h.bus.publish(kyc_event(gold, 2))
    for user in (gold, plain):
        await eventually(lambda u=user: _row_exists(h, recipients, u), "recipient")
    await eventually(lambda: _row_exists(h, recipient_kyc, gold), "kyc level")
    gold_token, plain_token = fcm_token("gold"), fcm_token("plain")
    await add_device(h, gold, gold_token)
    await add_device(h, plain, plain_token)

    direct = command(
        "price.alert", [plain], data={"symbol": "BTCUSDT", "price": "9"}, channels=["push"]
    )
    await h.bus.publish(direct)
    await h.bus.publish(direct)
    rows = await h.settled(direct.payload["notification_id"], 1)
    assert rows[(plain, "push")].status == "sent"

    mass = command(
        "marketing.announcement",
        [],
        segment="kyc_level>=2",
        channels=["push"],
        data={"title": "VIP", "body": "Lower fees"},
    )
    await h.bus.publish(mass)
    await h.bus.publish(mass)
    await announcement_done(h, mass.payload["notification_id"])
    # the topic is shared with earlier runs, whose segment commands this fresh group also
    # consumes (and rightly fans out to today's users): count only this test's messages
    ours = {direct.payload["notification_id"], mass.payload["notification_id"]}
    received = Counter(
        (m["token"], m["android"]["collapse_key"])
        for m in fcm.server.received
        if m["android"]["collapse_key"] in ours
    )
    assert received == Counter(
        {
            (plain_token, direct.payload["notification_id"]): 1,
            (gold_token, mass.payload["notification_id"]): 1,
        }
    )
