"""Recipients' phone, language and country from ``user.profile_updated``, on SQLite AND
PostgreSQL: applied once, stale updates ignored, a profile before the registration,
and notifications rendered in the recipient's language (Arabic when set)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from burency_common.errors import EventSchemaError
from burency_common.events import EventEnvelope
from burency_common.events.users import USER_PROFILE_UPDATED
from burency_common.ids import new_id
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, registered_event, running_harness
from .notifications_testing.profiles import profile_event, recipient, register_with_profile

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def h(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., NotificationsSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {"delivery_max_attempts": 20}  # room for a late registration
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides)) as harness:
        yield harness


async def test_profile_sets_phone_language_and_country(h: Harness) -> None:
    user = await h.register("p@example.com")
    await h.bus.publish(profile_event(user, phone="+971501234567", language="ar", country="AE"))
    row = await recipient(h, user)
    assert (row.email, row.phone, row.language, row.country) == (
        "p@example.com", "+971501234567", "ar", "AE",
    )  # fmt: skip


async def test_stale_and_redelivered_updates_change_nothing(h: Harness) -> None:
    user = await h.register("s@example.com")
    newest = profile_event(user, phone="+971501234567", language="ar", changed_at=T0)
    await h.bus.publish(newest)
    older = profile_event(user, phone="+971509999999", language="en", changed_at=T0 - timedelta(1))
    same_time = profile_event(user, phone="+971508888888", changed_at=T0)
    for late in (older, same_time, newest):
        await h.bus.publish(late)
    row = await recipient(h, user)
    assert (row.phone, row.language, row.profile_changed_at) == ("+971501234567", "ar", T0)
    await h.bus.publish(profile_event(user, phone=None, changed_at=T0 + timedelta(seconds=1)))
    assert (await recipient(h, user)).phone is None  # a newer update clears the phone


async def test_concurrent_updates_keep_the_newest(h: Harness) -> None:
    user = await h.register("c@example.com")
    handler = h.component.on_profile_updated
    events = [
        profile_event(user, phone=f"+97150123456{i}", changed_at=T0 + timedelta(seconds=i))
        for i in range(6)
    ]
    await asyncio.gather(*(handler(e) for e in reversed(events)))
    assert (await recipient(h, user)).phone == "+971501234565"


async def test_profile_before_registration(h: Harness) -> None:
    """The two events travel on different topics: either may be consumed first."""
    user = new_id()
    await h.bus.publish(profile_event(user, phone="+971501234567", language="ar", changed_at=T0))
    early = await recipient(h, user)
    assert (early.email, early.language) == (None, "ar")
    note = command("auth.welcome", [user], channels=["email"])
    await h.bus.publish(note)

    async def retried() -> bool:
        row = (await h.deliveries(note.payload["notification_id"]))[(user, "email")]
        return bool(row.attempts >= 1 and row.last_error == "recipient_unknown")

    deadline = asyncio.get_running_loop().time() + 30
    while not await retried():
        assert asyncio.get_running_loop().time() < deadline, "no attempt was made"
        await asyncio.sleep(0.02)
    await h.bus.publish(registered_event(user, "late@example.com"))
    row = (await h.settled(note.payload["notification_id"], 1))[(user, "email")]
    assert row.status == "sent"
    after = await recipient(h, user)
    assert (after.email, after.phone, after.language) == ("late@example.com", "+971501234567", "ar")
    [sent] = [m for m in h.component.context.recorder.sent if m.user_id == user]  # type: ignore[union-attr]
    assert sent.subject == "مرحباً بك في Burency"


async def test_invalid_profile_event_is_a_schema_error(h: Harness) -> None:
    bad = EventEnvelope(
        type=USER_PROFILE_UPDATED,
        producer="users",
        key="u-x",
        payload={"user_id": "u-x", "phone": "not a phone", "changed_at": T0.isoformat()},
    )
    with pytest.raises(EventSchemaError):
        await h.component.on_profile_updated(bad)
    assert await recipient(h, "u-x") is None


async def test_notifications_render_in_the_recipients_language(h: Harness) -> None:
    arabic = await register_with_profile(h, "ar@example.com", phone="+971501234567", language="ar")
    english = await register_with_profile(h, "en@example.com", phone="+971501234568")
    unknown = await h.register("noprofile@example.com")  # no profile event yet: English
    note = command("deposit.credited", [arabic, english, unknown], data={"amount": "1.5",
                   "asset": "BTC"})  # fmt: skip
    await h.bus.publish(note)
    rows = await h.settled(note.payload["notification_id"], 12)
    assert rows[(arabic, "sms")].status == "sent"
    assert (rows[(unknown, "sms")].status, rows[(unknown, "sms")].last_error) == (
        "skipped", "no_phone",
    )  # fmt: skip
    recorder = h.component.context.recorder
    assert recorder is not None
    by_user = {(m.user_id, m.channel): m for m in recorder.sent}
    assert by_user[(arabic, "email")].subject == "تم إيداع المبلغ"
    assert by_user[(arabic, "sms")].sms == "Burency: تم إيداع 1.5 BTC في حسابك."
    assert by_user[(arabic, "sms")].address == "+971501234567"
    assert by_user[(english, "email")].subject == "Deposit credited"
    assert by_user[(unknown, "email")].subject == "Deposit credited"
    feed = (await h.call("GET", "/v1/notifications", arabic)).json()
    assert feed["items"][0]["title"] == "تم إيداع المبلغ"
