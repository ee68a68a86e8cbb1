"""The banking service on real PostgreSQL + Kafka: ``user.registered`` (delivered twice)
opens one account; the funding ↔ trading saga runs against a test participant playing
the trading core on its own Kafka consumer group.

Topics are the real event types, so each test uses fresh user ids and its own consumer
groups, and the participant ignores every saga but this test's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from burency_banking.adapters.orm import inbox, ledger_accounts
from burency_banking.settings import BankingSettings
from burency_common.bus import KafkaBus
from burency_common.bus.kafka import KafkaConsumerSettings
from burency_common.events import EventEnvelope, default_registry
from burency_common.events.wallet import (
    WALLET_TRANSFER_COMPLETED,
    WALLET_TRANSFER_REQUESTED,
    WalletTransferCompleted,
    WalletTransferRequested,
)
from burency_common.ids import new_id
from burency_testing.waiting import eventually

from .banking_testing.harness import Harness, registered_event, running_harness

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

FAST = KafkaConsumerSettings(session_timeout_ms=6000, heartbeat_interval_ms=1000)


@pytest.fixture
async def kafka_harness(
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    kafka_topic_prefix: str,
    unique_topic: Callable[[str], str],
    settings_factory: Callable[..., BankingSettings],
) -> AsyncIterator[Harness]:
    settings = settings_factory(BankingSettings, database_url=postgres_database_factory())
    bus = KafkaBus(
        kafka_bootstrap,
        client_id="banking-it",
        consumer_settings=FAST,
        topic_prefix=kafka_topic_prefix,
    )
    async with running_harness(settings, bus=bus, group=unique_topic("banking")) as h:
        await bus.wait_until_assigned(timeout=60)
        yield h


async def _accounts(h: Harness, user_id: str) -> int:
    query = (
        select(func.count())
        .select_from(ledger_accounts)
        .where(ledger_accounts.c.user_id == user_id)
    )
    async with h.component.engine.connect() as conn:
        return int(await conn.scalar(query) or 0)


async def test_user_registered_delivered_twice_opens_one_account(kafka_harness: Harness) -> None:
    h = kafka_harness
    user_id = f"kafka-{new_id()}"
    event = registered_event(user_id, "kafka-bank@example.com")
    await h.bus.publish(event)
    await h.bus.publish(event)
    marker = registered_event(user_id, "kafka-bank@example.com")  # same key, behind the copy
    await h.bus.publish(marker)

    async def marker_handled() -> bool:
        query = select(func.count()).select_from(inbox).where(inbox.c.event_id == marker.id)
        async with h.component.engine.connect() as conn:
            return int(await conn.scalar(query) or 0) == 1

    await eventually(marker_handled, "the marker behind the duplicate", timeout=60)
    assert await _accounts(h, user_id) == 1
    body = (await h.call("GET", "/v1/accounts", user_id)).json()
    assert [a["asset"] for a in body] == ["AED"]


class TradingDouble:
    """The trading core's side of the saga, on its own Kafka consumer group: answers
    ``completed`` to this test user's funding → trading requests and records banking's
    answers to its own trading → funding requests."""

    def __init__(self, bootstrap: str, group: str, user_id: str, *, topic_prefix: str) -> None:
        self.registry, self.user_id = default_registry(), user_id
        self.bus = KafkaBus(
            bootstrap, client_id="trading-test", consumer_settings=FAST, topic_prefix=topic_prefix
        )
        self.completed_back: list[dict[str, Any]] = []
        self.bus.subscribe(WALLET_TRANSFER_REQUESTED, group=group, handler=self.handle)
        self.bus.subscribe(WALLET_TRANSFER_COMPLETED, group=group, handler=self.handle)

    async def handle(self, envelope: EventEnvelope) -> None:
        payload = self.registry.parse_payload(envelope)
        if getattr(payload, "user_id", None) != self.user_id:
            return
        to_trading = getattr(payload, "direction", None) == "funding_to_trading"
        if isinstance(payload, WalletTransferRequested) and to_trading:
            answer = WalletTransferCompleted(**payload.model_dump())
            await self.send(answer, WALLET_TRANSFER_COMPLETED)
        elif isinstance(payload, WalletTransferCompleted) and not to_trading:
            self.completed_back.append(payload.model_dump())

    async def send(self, payload: Any, event_type: str) -> None:
        await self.bus.publish(
            self.registry.build(payload, event_type=event_type, producer="trading")
        )


async def test_saga_with_a_trading_participant_on_kafka(
    kafka_harness: Harness,
    kafka_bootstrap: str,
    kafka_topic_prefix: str,
    unique_topic: Callable[[str], str],
) -> None:
    h = kafka_harness
    user_id = f"kafka-{new_id()}"
    await h.bus.publish(registered_event(user_id, "saga@example.com"))

    async def opened() -> bool:
        return await _accounts(h, user_id) == 1

    await eventually(opened, "the account", timeout=60)
    await h.deposit(user_id, "AED", 50_000)
    trading = TradingDouble(
        kafka_bootstrap, unique_topic("trading"), user_id, topic_prefix=kafka_topic_prefix
    )
    await trading.bus.start()
    try:
        await trading.bus.wait_until_assigned(timeout=60)
        sent = await h.call("POST", "/v1/transfers/trading", user_id,
                            headers={"Idempotency-Key": "to-trading"},
                            json={"asset": "AED", "amount": "120.00"})  # fmt: skip
        assert sent.status_code == 202, sent.text
        path = f"/v1/transfers/trading/{sent.json()['id']}"

        async def posted() -> bool:
            return bool((await h.call("GET", path, user_id)).json()["status"] == "completed")

        await eventually(posted, "the hold posted after trading's completed", timeout=60)
        back = WalletTransferRequested(transfer_id=f"tr-{new_id()}", direction="trading_to_funding",
                                       user_id=user_id, asset="AED", amount="20.00")  # fmt: skip
        await trading.send(back, WALLET_TRANSFER_REQUESTED)

        async def answered() -> bool:
            return any(p["transfer_id"] == back.transfer_id for p in trading.completed_back)

        await eventually(answered, "banking's completed answer on Kafka", timeout=60)
    finally:
        await trading.bus.stop()
    accounts = (await h.call("GET", "/v1/accounts", user_id)).json()
    assert accounts == [{"asset": "AED", "total": "400.00", "held": "0.00",
                         "available": "400.00"}]  # fmt: skip
