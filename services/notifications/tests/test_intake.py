"""SEND_NOTIFICATION on the in-memory bus: the right channels per preferences, the
delivery log, idempotency by notification_id, and invalid commands dead-lettered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from burency_common.bus import InMemoryBus
from burency_common.events import SEND_NOTIFICATION
from burency_notifications.adapters.orm import in_app

from .notifications_testing.harness import Harness, command, eventually


async def test_command_delivers_per_channel(harness: Harness) -> None:
    user = await harness.register("layla@example.com")
    note = command("deposit.credited", [user], data={"amount": "1.5", "asset": "BTC"})
    await harness.bus.publish(note)
    rows = await harness.settled(note.payload["notification_id"], 4)
    status = {channel: rows[(user, channel)].status for _, channel in rows}
    assert status == {"email": "sent", "in_app": "sent", "push": "skipped", "sms": "skipped"}
    assert rows[(user, "push")].last_error == "no_devices"
    assert rows[(user, "push")].attempts == 0, "no device: decided at intake, never sent"
    assert rows[(user, "email")].attempts == 1
    recorder = harness.component.context.recorder
    assert recorder is not None
    [email] = [m for m in recorder.sent if m.user_id == user]
    assert (email.address, email.subject) == ("layla@example.com", "Deposit credited")
    feed = (await harness.call("GET", "/v1/notifications", user)).json()
    assert feed["unreadCount"] == 1
    assert "1.5 BTC" in feed["items"][0]["body"]


async def test_preferences_skip_channels(harness: Harness) -> None:
    user = await harness.register()
    body = {"items": [{"event": "price.alert", "channel": "email", "enabled": False}]}
    assert (await harness.call("PUT", "/v1/preferences", user, json=body)).status_code == 200
    note = command("price.alert", [user], data={"symbol": "BTC-USDT", "price": "1"},
                   channels=["email", "in_app"])  # fmt: skip
    await harness.bus.publish(note)
    rows = await harness.settled(note.payload["notification_id"], 2)
    assert rows[(user, "email")].status == "skipped_by_preference"
    assert rows[(user, "in_app")].status == "sent"


async def test_fills_reach_email_only_when_asked_for(harness: Harness) -> None:
    user = await harness.register("trader@example.com")
    data = {"side": "buy", "amount": "1", "symbol": "BTC-USDT", "price": "1"}
    first = command("order.filled", [user], data=data)
    await harness.bus.publish(first)
    rows = await harness.settled(first.payload["notification_id"], 4)
    status = {channel: rows[(user, channel)].status for _, channel in rows}
    assert status["email"] == status["sms"] == "skipped_by_preference"  # opt-in
    assert status["in_app"] == "sent"
    body = {"items": [{"event": "order.filled", "channel": "email", "enabled": True}]}
    assert (await harness.call("PUT", "/v1/preferences", user, json=body)).status_code == 200
    second = command("order.filled", [user], data=data, channels=["email"])
    await harness.bus.publish(second)
    rows = await harness.settled(second.payload["notification_id"], 1)
    assert rows[(user, "email")].status == "sent"


async def test_same_notification_twice_delivers_once(harness: Harness) -> None:
    user = await harness.register()
    note = command("auth.welcome", [user], channels=["in_app"])
    await harness.bus.publish(note)
    await harness.bus.publish(note)  # same envelope
    again = command("auth.welcome", [user], notification_id=note.payload["notification_id"])
    await harness.bus.publish(again)  # same notification id, new envelope
    rows = await harness.settled(note.payload["notification_id"], 1)
    assert rows[(user, "in_app")].status == "sent"
    query = select(func.count()).select_from(in_app).where(in_app.c.user_id == user)
    async with harness.component.engine.connect() as conn:
        assert await conn.scalar(query) == 1


def _dead(bus: Any) -> list[Any]:
    assert isinstance(bus, InMemoryBus)
    return [d for d in bus.dead_letters if d.original_topic == SEND_NOTIFICATION]


async def test_invalid_commands_are_dead_lettered_with_a_reason(harness: Harness) -> None:
    user = await harness.register()
    await harness.bus.publish(command("no.such_event", [user]))
    await harness.bus.publish(command("auth.welcome", [], segment="all_users"))
    await harness.bus.publish(command("auth.welcome", [user], channels=["pigeon"]))

    async def three() -> bool:
        return len(_dead(harness.bus)) == 3

    await eventually(three, "three dead letters")
    reasons = " | ".join(d.reason for d in _dead(harness.bus))
    assert "unknown notification event" in reasons
    assert "unknown segment 'all_users'" in reasons
    assert "unknown channels" in reasons
    assert all(d.attempts == 1 for d in _dead(harness.bus))


async def test_a_command_without_the_data_its_templates_need_is_dead_lettered(
    harness: Harness,
) -> None:
    """Caught at intake (the catalogue in burency_common), not as a failed e-mail later."""
    user = await harness.register()
    note = command("deposit.credited", [user], channels=["email"])  # no amount, no asset
    await harness.bus.publish(note)

    async def dead_lettered() -> bool:
        return len(_dead(harness.bus)) == 1

    await eventually(dead_lettered, "the dead letter")
    assert "deposit.credited needs data ['amount', 'asset']" in _dead(harness.bus)[0].reason
    assert await harness.deliveries(note.payload["notification_id"]) == {}


async def test_unknown_recipient_is_retried_then_failed(harness: Harness) -> None:
    note = command("auth.welcome", ["never-registered"], channels=["email"])
    await harness.bus.publish(note)
    rows = await harness.settled(note.payload["notification_id"], 1)
    row = rows[("never-registered", "email")]
    assert (row.status, row.attempts, row.last_error) == ("failed", 5, "recipient_unknown")
