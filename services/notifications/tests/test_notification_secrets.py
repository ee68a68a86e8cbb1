"""Secrets (reset / verification links, one-time codes) reach only their owner channel.

Every type of the catalogue is sent, with a distinctive sentinel for every data key,
to users with an e-mail address, a phone and a push device, in every language, over
every channel. Then the whole notification database (feed items, delivery log, stored
notifications, the outbox that carries ``notification.in_app.created`` to the
gateway's Socket.IO push, the inbox), every recorded in-app / push / SMS message, the
live events on the bus and the service's log output are searched: a secret's sentinel
appears only in the owner channel's message (the e-mail, and its ``.eml`` file).
"""

from __future__ import annotations

import email
import email.policy
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jinja2 import DictLoader, Environment, StrictUndefined
from sqlalchemy import select

from burency_common.bus import InMemoryBus
from burency_common.events import EventEnvelope
from burency_common.events.notification_types import (
    NOTIFICATION_TYPES,
    NotificationType,
    UnknownNotification,
    check_notification,
)
from burency_common.events.notifications import NOTIFICATION_IN_APP_CREATED
from burency_notifications import rendering
from burency_notifications.adapters.orm import metadata
from burency_notifications.domain import CHANNELS, EVENT_TYPES, LANGUAGES, default_enabled
from burency_notifications.rendering import TemplateDataError, check_catalogue, render
from burency_notifications.settings import NotificationsSettings
from burency_testing.waiting import eventually

from .notifications_testing.harness import Harness, command, running_harness
from .notifications_testing.profiles import register_with_profile

# A key whose name says "this opens something" must be declared secret.
_SECRET_LOOKING = ("url", "link", "token", "code", "otp", "password", "secret", "pin")


def sentinel(kind: NotificationType, key: str) -> str:
    if key in kind.secrets:
        return f"https://burency.test/x?token=SECRET{abs(hash((kind.name, key))):x}"
    return f"public-{kind.name}-{key}"


def secrets_of(kind: NotificationType) -> set[str]:
    return {sentinel(kind, key) for key in kind.secrets}


def test_the_catalogue_checks_out() -> None:
    check_catalogue()
    kinds = NOTIFICATION_TYPES.values()
    assert {k.name for k in kinds if k.secrets} >= {"auth.password_reset", "auth.verify_email"}
    for kind in kinds:
        looks_secret = {k for k in kind.data if any(m in k.lower() for m in _SECRET_LOOKING)}
        assert looks_secret <= kind.secrets, (kind.name, looks_secret - kind.secrets)
        assert kind.owner is None or kind.owner in CHANNELS


def test_a_template_that_names_a_secret_outside_its_owner_channel_cannot_render(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a careless template edit would do: the push text quoting the reset link."""
    sources = {
        "auth.password_reset/en/subject.txt": "Reset",
        "auth.password_reset/en/push.txt": "Reset here: {{ url }}",
        "auth.password_reset/en/text.txt": "Reset here: {{ url }}",
        "auth.password_reset/en/html.html": "<a href='{{ url }}'>reset</a>",
    }
    env = Environment(loader=DictLoader(sources), undefined=StrictUndefined)
    monkeypatch.setattr(rendering, "_environment", lambda: env)
    data = {"url": "https://burency.test/reset-password?token=T0KEN"}
    assert "T0KEN" in render("auth.password_reset", "en", data, "email").text
    for channel in ("push", "in_app"):
        with pytest.raises(TemplateDataError, match="url"):
            render("auth.password_reset", "en", data, channel)
    with pytest.raises(TemplateDataError):
        check_catalogue()


def test_a_type_with_a_secret_takes_no_undeclared_data() -> None:
    """A raw token beside the link would reach no template, but would still be stored
    and sent around: a producer cannot send it at all."""
    link = {"url": "https://burency.test/verify-email?token=t"}
    check_notification("auth.verify_email", link)
    with pytest.raises(UnknownNotification, match="token"):
        check_notification("auth.verify_email", {**link, "token": "t"})


def test_the_view_of_a_non_owner_channel_has_no_secret_and_no_undeclared_key() -> None:
    kind = NOTIFICATION_TYPES["auth.password_reset"]
    data = {"url": "u", "token": "t"}
    assert kind.view(data, "email") == {"url": "u"}
    for channel in set(CHANNELS) - {"email"}:
        assert kind.view(data, channel) == {}


def test_a_phone_code_would_reach_only_the_phone_and_no_secret_lacks_an_owner() -> None:
    code = NotificationType(
        "users.phone_code", frozenset({"code"}), False, frozenset({"code"}), "sms"
    )
    assert code.view({"code": "123456"}, "sms") == {"code": "123456"}
    for channel in set(CHANNELS) - {"sms"}:
        assert code.view({"code": "123456"}, channel) == {}
    with pytest.raises(ValueError, match="owner"):
        NotificationType("x.secret", frozenset({"code"}), False, frozenset({"code"}), None)
    with pytest.raises(ValueError, match="owner"):
        NotificationType("x.secret", frozenset({"code"}), False, frozenset({"code"}), "in_app")
    with pytest.raises(ValueError, match="not in data"):
        NotificationType("x.secret", frozenset(), False, frozenset({"code"}), "sms")


def _mail_text(path: Path) -> str:
    """Subject and every part's decoded text: what the mailbox owner reads."""
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    parts = [str(mail["Subject"])]
    parts.extend(part.get_content() for part in mail.walk() if not part.is_multipart())
    return "\n".join(parts)


def _all_data(kind: NotificationType) -> dict[str, Any]:
    return {key: sentinel(kind, key) for key in kind.data}


async def _dump_database(h: Harness) -> str:
    """Every row of every table of the service's database, as one text."""
    parts = []
    async with h.component.engine.connect() as conn:
        for table in metadata.sorted_tables:
            parts.extend(repr(tuple(row)) for row in (await conn.execute(select(table))).all())
    return "\n".join(parts)


async def _users(h: Harness) -> list[str]:
    """One user per language, each with an e-mail address, a phone and a push device,
    and the opt-in channels switched on (fills by e-mail, say): every type must then
    keep its secrets on every channel it reaches."""
    every = [
        {"event": event, "channel": channel, "enabled": True}
        for event in EVENT_TYPES
        for channel in CHANNELS
        if not default_enabled(event, channel)
    ]
    users = []
    for n, language in enumerate(LANGUAGES):
        user = await register_with_profile(
            h, f"owner{n}@example.com", phone=f"+1415555010{n}", language=language
        )
        device = await h.call(
            "POST", "/v1/devices", user, json={"token": f"device-token-{n}" * 4, "platform": "web"}
        )
        assert device.status_code in (200, 201), device.text
        opted = await h.call("PUT", "/v1/preferences", user, json={"items": every})
        assert opted.status_code == 200, opted.text
        users.append(user)
    return users


async def test_every_type_on_every_channel_keeps_its_secrets_to_the_owner(
    make_settings: Callable[..., NotificationsSettings],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    live: list[EventEnvelope] = []

    async def collect(envelope: EventEnvelope) -> None:
        live.append(envelope)

    bus = InMemoryBus()  # the gateway's live push consumes these, as in the platform
    bus.subscribe(NOTIFICATION_IN_APP_CREATED, group="socket-io", handler=collect)
    async with running_harness(make_settings(), bus=bus) as h:
        users = await _users(h)
        sent: dict[str, NotificationType] = {}
        for kind in NOTIFICATION_TYPES.values():
            for user in users:  # a secret belongs to one user: one command each
                note = command(kind.name, [user], data=_all_data(kind))
                await h.bus.publish(note)
                sent[note.payload["notification_id"]] = kind
        for notification_id in sent:
            await h.settled(notification_id, len(CHANNELS))

        async def all_live() -> bool:
            return len(live) == len(sent)

        await eventually(all_live, "a live event per feed item")
        recorded = list(h.component.context.recorder.sent)  # type: ignore[union-attr]
        stored = await _dump_database(h)
    logs = "".join(capfd.readouterr())
    live_text = "\n".join(repr(e.payload) for e in live)
    owner_text = {c: "\n".join(repr(m) for m in recorded if m.channel == c) for c in CHANNELS}
    mails = list((tmp_path / "mail").glob("*.eml"))
    mail_text = "\n".join(_mail_text(m) for m in mails)
    assert len(mails) == len(sent)
    for kind in {k.name: k for k in sent.values()}.values():
        for secret in secrets_of(kind):
            where = {"database": stored, "logs": logs, "socket.io": live_text}
            where |= {c: t for c, t in owner_text.items() if c != kind.owner}
            leaked = sorted(place for place, text in where.items() if secret in text)
            assert not leaked, f"{kind.name}: a secret in {leaked}"
            assert secret in owner_text[kind.owner or ""], f"{kind.name}: not in its own channel"
            if kind.owner == "email":
                assert secret in mail_text, f"{kind.name}: not in its mail file"
    for mail in mails:
        assert stat.S_IMODE(mail.stat().st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "mail").st_mode) == 0o700


async def test_in_app_and_push_say_what_happened_without_the_link(harness: Harness) -> None:
    user = await harness.register("rania@example.com")
    link = "https://burency.test/reset-password?token=R3SET"
    note = command("auth.password_reset", [user], data={"url": link}, channels=["in_app"])
    await harness.bus.publish(note)
    await harness.settled(note.payload["notification_id"], 1)
    feed = (await harness.call("GET", "/v1/notifications", user)).json()["items"]
    [item] = [i for i in feed if i["event"] == "auth.password_reset"]
    assert "R3SET" not in repr(item)
    assert "password reset was requested" in item["body"]
    assert "e-mail" in item["body"]


async def test_a_secret_is_refused_for_a_segment_or_several_users(harness: Harness) -> None:
    link = {"url": "https://burency.test/verify-email?token=V"}
    many = command("auth.verify_email", ["u-1", "u-2"], data=link)
    everyone = command("auth.verify_email", [], segment="all", data=link)
    for note in (many, everyone):
        await harness.bus.publish(note)
    for note in (many, everyone):
        assert await harness.deliveries(note.payload["notification_id"]) == {}


async def test_the_stored_notification_forgets_its_secret_once_the_mail_is_out(
    harness: Harness,
) -> None:
    user = await harness.register("sami@example.com")
    link = "https://burency.test/verify-email?token=F0RGET"
    note = command("auth.verify_email", [user], data={"url": link}, channels=["email"])
    await harness.bus.publish(note)
    rows = await harness.settled(note.payload["notification_id"], 1)
    assert rows[(user, "email")].status == "sent"
    assert "F0RGET" not in await _dump_database(harness)
