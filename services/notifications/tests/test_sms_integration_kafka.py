"""One ``SEND_NOTIFICATION`` on real Kafka + PostgreSQL reaches a real SMTP server
(aiosmtpd), the local Twilio server and the in-app feed, per each user's preferences,
with recipients' phones and languages consumed from ``user.profile_updated`` on Kafka;
each in-app item is announced on Kafka as ``notification.in_app.created``."""

from __future__ import annotations

import email
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from burency_common.bus import KafkaBus
from burency_common.bus.kafka import KafkaConsumerSettings
from burency_common.events import EventEnvelope
from burency_common.events.notifications import NOTIFICATION_IN_APP_CREATED
from burency_common.ids import new_id
from burency_notifications.settings import NotificationsSettings
from burency_testing.infra import free_port

from .notifications_testing.harness import Harness, command, eventually, running_harness
from .notifications_testing.profiles import profile_event, recipient
from .notifications_testing.twilio_server import TwilioServer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

FAST = KafkaConsumerSettings(session_timeout_ms=6000, heartbeat_interval_ms=1000)


class Mailbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler, port = Mailbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioServer]:
    async with TwilioServer() as server:
        yield server


@pytest.fixture
async def world(
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    kafka_topic_prefix: str,
    unique_topic: Callable[[str], str],
    make_settings: Callable[..., NotificationsSettings],
    mailbox: tuple[Mailbox, int],
    twilio: TwilioServer,
) -> AsyncIterator[tuple[Harness, list[EventEnvelope]]]:
    settings = make_settings(
        database_url=postgres_database_factory(),
        email_channel="smtp", smtp_host="127.0.0.1", smtp_port=mailbox[1],
        smtp_from="b@burency.test",
        sms_channel="twilio", twilio_base_url=twilio.url,
        twilio_account_sid=twilio.account_sid, twilio_auth_token=twilio.secret,
        twilio_messaging_service_sid="MG" + "2" * 32,
    )  # fmt: skip
    bus = KafkaBus(
        kafka_bootstrap,
        client_id="notifications-sms-it",
        consumer_settings=FAST,
        topic_prefix=kafka_topic_prefix,
    )
    announced: list[EventEnvelope] = []

    async def on_item(envelope: EventEnvelope) -> None:
        announced.append(envelope)

    group = unique_topic("notifications")
    bus.subscribe(NOTIFICATION_IN_APP_CREATED, group=f"{group}-gateway", handler=on_item)
    async with running_harness(settings, bus=bus, group=group) as h:
        await bus.wait_until_assigned(timeout=60)
        yield h, announced


async def _user(h: Harness, email_address: str, phone: str, language: str) -> str:
    user = await h.register(email_address)
    await h.bus.publish(profile_event(user, phone=phone, language=language))

    async def known() -> bool:
        row = await recipient(h, user)
        return row is not None and row.email is not None and row.phone == phone

    await eventually(known, f"the recipient {email_address}", timeout=60)
    return user


async def test_one_command_reaches_every_channel_per_preferences(
    world: tuple[Harness, list[EventEnvelope]],
    mailbox: tuple[Mailbox, int],
    twilio: TwilioServer,
) -> None:
    h, announced = world
    tag = new_id()[-8:]
    # the topics are real and shared: older runs' messages arrive too, so every
    # address is unique to this run and the servers' logs are filtered by it
    phones = [f"+9715{secrets.randbelow(10**8):08d}" for _ in range(2)]
    layla = await _user(h, f"layla-{tag}@example.com", phones[0], "ar")
    omar = await _user(h, f"omar-{tag}@example.com", phones[1], "en")
    changes = {"items": [{"event": "deposit.credited", "channel": c, "enabled": False}
                         for c in ("sms", "in_app")]}  # fmt: skip
    assert (await h.call("PUT", "/v1/preferences", omar, json=changes)).status_code == 200
    note = command("deposit.credited", [layla, omar], data={"amount": "250.00", "asset": "AED"})
    await h.bus.publish(note)
    rows = await h.settled(note.payload["notification_id"], 8)
    assert {(u, c): r.status for (u, c), r in rows.items() if c != "push"} == {
        (layla, "email"): "sent", (layla, "sms"): "sent", (layla, "in_app"): "sent",
        (omar, "email"): "sent", (omar, "sms"): "skipped_by_preference",
        (omar, "in_app"): "skipped_by_preference",
    }  # fmt: skip
    [sms] = [s for s in twilio.received if s.to in phones]
    assert (sms.to, sms.messaging_service_sid) == (phones[0], "MG" + "2" * 32)
    assert sms.body == "Burency: تم إيداع 250.00 AED في حسابك."
    assert rows[(layla, "sms")].provider_id == sms.sid
    subjects = {
        to[0]: str(make_header(decode_header(m["Subject"])))
        for to, m in mailbox[0].received
        if tag in to[0]
    }
    assert subjects == {
        f"layla-{tag}@example.com": "تم إيداع المبلغ",
        f"omar-{tag}@example.com": "Deposit credited",
    }
    [item] = (await h.call("GET", "/v1/notifications", layla)).json()["items"]
    assert (await h.call("GET", "/v1/notifications", omar)).json()["items"] == []

    async def item_announced() -> bool:
        return any(e.payload["id"] == item["id"] for e in announced)

    await eventually(item_announced, "notification.in_app.created on Kafka", timeout=60)
    [event] = [e for e in announced if e.payload["user_id"] in (layla, omar)]
    assert (event.key, event.payload["title"]) == (layla, "تم إيداع المبلغ")
