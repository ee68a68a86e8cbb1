"""The flows on real PostgreSQL + Kafka: ``kyc.status_changed`` delivered twice over
Kafka sets the user's withdrawal level once (inbox), and the level shows in the limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from burency_banking.adapters.orm import inbox
from burency_banking.settings import BankingSettings
from burency_common.bus import KafkaBus
from burency_common.bus.kafka import KafkaConsumerSettings
from burency_common.events import default_registry
from burency_common.events.kyc import KYC_STATUS_CHANGED, KycStatusChanged
from burency_common.ids import new_id
from burency_testing.waiting import eventually

from ..banking_testing.harness import running_harness

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

FAST = KafkaConsumerSettings(session_timeout_ms=6000, heartbeat_interval_ms=1000)


async def test_kyc_level_from_kafka_applies_once(
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    kafka_topic_prefix: str,
    unique_topic: Callable[[str], str],
    settings_factory: Callable[..., BankingSettings],
) -> None:
    settings = settings_factory(
        BankingSettings, database_url=postgres_database_factory(), chain_poll_seconds=3600
    )
    bus = KafkaBus(
        kafka_bootstrap,
        client_id="banking-flows-it",
        consumer_settings=FAST,
        topic_prefix=kafka_topic_prefix,
    )
    async with running_harness(settings, bus=bus, group=unique_topic("banking")) as h:
        await bus.wait_until_assigned(timeout=60)
        user = f"kafka-{new_id()}"
        payload = KycStatusChanged(
            user_id=user, submission_id=new_id(), requested_level=2, status="APPROVED",
            level=2, previous_level=1, changed_at=datetime.now(UTC),
        )  # fmt: skip
        event = default_registry().build(payload, event_type=KYC_STATUS_CHANGED, producer="users")
        await bus.publish(event)
        await bus.publish(event)  # the same event on Kafka twice

        async def level_2() -> bool:
            response = await h.call("GET", "/v1/withdrawals/limits", user)
            return {x["level"] for x in response.json()} == {2}

        await eventually(level_2, "the KYC level", timeout=60)
        marker = default_registry().build(
            payload.model_copy(update={"submission_id": new_id()}),
            event_type=KYC_STATUS_CHANGED, producer="users",
        )  # fmt: skip
        await bus.publish(marker)  # same key, same partition: after the duplicate

        async def marker_handled() -> bool:
            async with h.component.engine.connect() as conn:
                found = await conn.scalar(
                    select(func.count()).select_from(inbox).where(inbox.c.event_id == marker.id)
                )
            return found == 1

        await eventually(marker_handled, "the marker event", timeout=60)
        async with h.component.engine.connect() as conn:
            claimed = await conn.scalar(
                select(func.count()).select_from(inbox).where(inbox.c.event_id == event.id)
            )
        assert claimed == 1
