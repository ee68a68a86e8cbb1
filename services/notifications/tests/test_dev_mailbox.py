"""Embedded mode's mailbox (``GET /v1/dev/mailbox``) and the console echo of each e-mail."""

from __future__ import annotations

import io
from collections.abc import Callable

import httpx
import pytest

from burency_notifications.adapters.channels import OutboundMessage, RecordingChannel
from burency_notifications.adapters.console import echo_email
from burency_notifications.domain import links_in
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, running_harness

LINK = "https://burency.test/verify-email?token=V3R1FY"


async def _send_verification(harness: Harness, email: str) -> None:
    user = await harness.register(email)
    note = command("auth.verify_email", [user], channels=["email"], data={"url": LINK})
    await harness.bus.publish(note)
    await harness.settled(note.payload["notification_id"], 1)


async def test_a_loopback_client_reads_the_mails_with_their_links(harness: Harness) -> None:
    await _send_verification(harness, "new@example.com")
    # no token needed: the reader is at this machine's keyboard (as the gateway says)
    answer = await harness.client.get("/v1/dev/mailbox", headers={"x-forwarded-for": "127.0.0.1"})
    assert answer.status_code == 200
    [mail] = answer.json()["items"]
    assert mail["to"] == "new@example.com"
    assert mail["links"] == [LINK]
    assert "V3R1FY" in mail["text"]


async def test_a_client_elsewhere_is_refused(harness: Harness) -> None:
    await _send_verification(harness, "new@example.com")
    # the gateway appends the real client last; a client's own entries come first
    for chain in ("203.0.113.7", "127.0.0.1, 203.0.113.7", "::1, 10.0.0.2"):
        answer = await harness.client.get("/v1/dev/mailbox", headers={"x-forwarded-for": chain})
        assert (answer.status_code, answer.json()["code"]) == (403, "NOT_LOOPBACK"), chain
        assert "V3R1FY" not in answer.text
    # a reverse proxy on this machine names the visitor it serves: not the keyboard's
    proxied = [
        {"x-forwarded-for": "203.0.113.7, 127.0.0.1"},
        {"x-forwarded-for": "127.0.0.1", "x-real-ip": "198.51.100.2"},
        {"x-forwarded-for": "127.0.0.1", "forwarded": 'for="[2001:db8::1]:4711";proto=https'},
        {"x-forwarded-for": "127.0.0.1", "forwarded": "for=unknown"},
    ]
    for headers in proxied:
        answer = await harness.client.get("/v1/dev/mailbox", headers=headers)
        assert answer.status_code == 403, headers
    local = {"x-forwarded-for": "::1, 127.0.0.1", "forwarded": 'for=127.0.0.1:5000, for="[::1]"'}
    assert (await harness.client.get("/v1/dev/mailbox", headers=local)).status_code == 200
    # a direct TCP peer that is not loopback, without any forwarding header
    transport = httpx.ASGITransport(app=harness.component.app, client=("192.0.2.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as remote:
        answer = await remote.get("/v1/dev/mailbox")
        assert (answer.status_code, answer.json()["code"]) == (403, "NOT_LOOPBACK")
        forged = await remote.get("/v1/dev/mailbox", headers={"x-forwarded-for": "127.0.0.1"})
        assert forged.status_code == 403


async def test_the_mailbox_does_not_exist_in_distributed_mode(
    make_settings: Callable[..., NotificationsSettings],
) -> None:
    distributed = make_settings(
        mode="distributed", identity_secret="s" * 32, email_channel="record"
    )
    async with running_harness(distributed) as other:
        answer = await other.client.get("/v1/dev/mailbox", headers={"x-forwarded-for": "127.0.0.1"})
        assert answer.status_code == 404
        paths = {getattr(route, "path", "") for route in other.component.app.routes}
        assert "/v1/dev/mailbox" not in paths


def test_echo_prints_subject_and_link_once() -> None:
    message = OutboundMessage(
        delivery_id="d1", notification_id="n1", event="auth.verify_email", channel="email",
        user_id="u1", address="new@example.com", subject="Verify your e-mail",
        text=f"Open {LINK}\nor paste {LINK}", html="", sms="", push="",
    )  # fmt: skip
    out = io.StringIO()
    echo_email(message, out)
    assert out.getvalue().splitlines() == [
        "  [mail] to new@example.com: Verify your e-mail",
        f"         {LINK}",
    ]


async def test_embedded_mode_echoes_each_email_to_the_console_when_asked(
    make_settings: Callable[..., NotificationsSettings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with running_harness(make_settings(email_echo=True)) as h:
        await _send_verification(h, "echo@example.com")
    printed = capsys.readouterr().out
    assert "[mail] to echo@example.com" in printed
    assert LINK in printed
    # off by default (the secrets tests hold stdout to "no link") ...
    async with running_harness(make_settings()) as h:
        await _send_verification(h, "quiet@example.com")
    assert "[mail]" not in capsys.readouterr().out
    # ... and never in distributed mode
    distributed = make_settings(
        mode="distributed", identity_secret="s" * 32, email_channel="record", email_echo=True
    )
    async with running_harness(distributed) as h:
        email = h.component.context.channels["email"]
        assert isinstance(email, RecordingChannel)
        assert email.echo is None


def test_links_leave_the_sentence_punctuation_behind() -> None:
    reset = "https://burency.test/reset-password?token=I6vh-FH7_Yj"
    text = f"Choose a new password: {reset}. Or ignore it ({reset}), see https://x.test/a!"
    assert links_in(text) == [reset, "https://x.test/a"]
