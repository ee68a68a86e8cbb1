"""Email over a real SMTP server (aiosmtpd on a loopback port): multipart message,
a transient 451 retried, a permanent 550 recorded once as failed."""

from __future__ import annotations

import email
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, running_harness


class Inbox:
    """aiosmtpd handler: answers the queued codes first, then accepts (250)."""

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.received: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.replies:
            return self.replies.pop(0)
        self.received.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
async def smtp_harness(
    smtp: tuple[Inbox, int], make_settings: Callable[..., NotificationsSettings]
) -> AsyncIterator[Harness]:
    settings = make_settings(
        email_channel="smtp", smtp_host="127.0.0.1", smtp_port=smtp[1], smtp_from="b@burency.test"
    )
    async with running_harness(settings) as h:
        yield h


async def _send(h: Harness, to: str) -> Any:
    user = await h.register(to)
    note = command("auth.new_login", [user], data={"ip": "203.0.113.9", "device": "Firefox"})
    await h.bus.publish(note)
    rows = await h.settled(note.payload["notification_id"], 4)
    return rows[(user, "email")]


async def test_email_is_multipart_html_and_text(
    smtp_harness: Harness, smtp: tuple[Inbox, int]
) -> None:
    row = await _send(smtp_harness, "layla@example.com")
    assert (row.status, row.attempts) == ("sent", 1)
    [(recipients, message)] = smtp[0].received
    assert recipients == ["layla@example.com"]
    assert message["Subject"] == "New sign-in to your account"
    parts = {p.get_content_type(): p.get_payload(decode=True) for p in message.walk()}
    assert b"203.0.113.9" in parts["text/plain"]
    assert b"<h1>" in parts["text/html"]
    assert row.provider_id == message["Message-ID"]


async def test_transient_failure_is_retried(smtp_harness: Harness, smtp: tuple[Inbox, int]) -> None:
    smtp[0].replies.append("451 try again later")
    row = await _send(smtp_harness, "retry@example.com")
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(smtp[0].received) == 1


async def test_permanent_failure_is_recorded_once(
    smtp_harness: Harness, smtp: tuple[Inbox, int]
) -> None:
    smtp[0].replies.extend(["550 no such mailbox", "550 no such mailbox"])
    row = await _send(smtp_harness, "gone@example.com")
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "smtp 550")
    assert smtp[0].replies == ["550 no such mailbox"]  # asked exactly once


async def test_transient_failures_stop_at_max_attempts(
    smtp: tuple[Inbox, int], make_settings: Callable[..., NotificationsSettings]
) -> None:
    settings = make_settings(
        email_channel="smtp", smtp_host="127.0.0.1", smtp_port=smtp[1], delivery_max_attempts=3
    )
    smtp[0].replies.extend(["451 busy"] * 5)
    async with running_harness(settings) as h:
        row = await _send(h, "busy@example.com")
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "smtp 451")
    assert len(smtp[0].replies) == 2
