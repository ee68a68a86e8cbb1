"""SMTP RCPT TO refusals on a real aiosmtpd server: a 4xx (greylisting, mailbox busy) is
retried and the email then arrives once; a 5xx is recorded once as failed."""

from __future__ import annotations

import email
from collections.abc import AsyncIterator, Callable, Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from burency_notifications.settings import NotificationsSettings
from burency_testing.infra import free_port

from .notifications_testing.harness import Harness, command, running_harness


class Greylister:
    """aiosmtpd handler answering RCPT with the queued replies first, then 250."""

    def __init__(self) -> None:
        self.rcpt_replies: list[str] = []
        self.rcpt_attempts = 0
        self.received: list[tuple[list[str], Message]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.rcpt_attempts += 1
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Greylister, int]]:
    handler = Greylister()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
async def h(
    smtp: tuple[Greylister, int], make_settings: Callable[..., NotificationsSettings]
) -> AsyncIterator[Harness]:
    settings = make_settings(
        email_channel="smtp", smtp_host="127.0.0.1", smtp_port=smtp[1], smtp_from="b@burency.test"
    )
    async with running_harness(settings) as harness:
        yield harness


async def _email_row(h: Harness, to: str) -> Any:
    user = await h.register(to)
    note = command("auth.password_reset", [user], channels=["email"],
                   data={"url": "https://burency.com/reset?t=1"})  # fmt: skip
    await h.bus.publish(note)
    return (await h.settled(note.payload["notification_id"], 1))[(user, "email")]


async def test_greylisted_recipient_is_retried_and_delivered_once(
    h: Harness, smtp: tuple[Greylister, int]
) -> None:
    server, _ = smtp
    server.rcpt_replies.append("450 4.2.0 greylisted, try again later")
    row = await _email_row(h, "grey@example.com")
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    [(recipients, message)] = server.received
    assert recipients == ["grey@example.com"]
    assert message["Subject"]
    assert server.rcpt_attempts == 2


async def test_refused_recipient_is_recorded_once(h: Harness, smtp: tuple[Greylister, int]) -> None:
    server, _ = smtp
    server.rcpt_replies.extend(["550 5.1.1 no such user", "550 5.1.1 no such user"])
    row = await _email_row(h, "nobody@example.com")
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "smtp rcpt 550")
    assert server.rcpt_attempts == 1
    assert server.received == []
