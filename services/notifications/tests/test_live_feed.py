"""Live in-app feed: every in-app item is announced as ``notification.in_app.created``
through the outbox (what the gateway pushes over Socket.IO), once per item, with the
fields the feed API shows; other channels announce nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import func, select

from burency_common.bus import InMemoryBus
from burency_common.events import EventEnvelope
from burency_common.events.notifications import NOTIFICATION_IN_APP_CREATED
from burency_notifications.adapters.orm import outbox
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, eventually, running_harness


@pytest.fixture
async def live(
    make_settings: Callable[..., NotificationsSettings],
) -> AsyncIterator[tuple[Harness, list[EventEnvelope]]]:
    bus = InMemoryBus()
    seen: list[EventEnvelope] = []

    async def record(envelope: EventEnvelope) -> None:
        seen.append(envelope)

    bus.subscribe(NOTIFICATION_IN_APP_CREATED, group="gateway-test", handler=record)
    async with running_harness(make_settings(), bus=bus) as h:
        yield h, seen


async def test_each_in_app_item_is_announced_once(
    live: tuple[Harness, list[EventEnvelope]],
) -> None:
    h, seen = live
    user = await h.register("live@example.com")
    note = command("price.alert", [user], data={"symbol": "BTC-USDT", "price": "70000"})
    await h.bus.publish(note)
    await h.bus.publish(note)  # the same command again: one item, one announcement
    await h.settled(note.payload["notification_id"], 4)

    async def announced() -> bool:
        return len(seen) >= 1

    await eventually(announced, "the announcement")
    [item] = (await h.call("GET", "/v1/notifications", user)).json()["items"]
    [event] = seen
    assert (event.key, event.producer) == (user, "notifications")
    payload = event.payload
    assert payload["user_id"] == user
    assert payload["id"] == item["id"]
    assert (payload["title"], payload["body"], payload["event"]) == (
        item["title"], item["body"], "price.alert",
    )  # fmt: skip
    assert payload["notification_id"] == note.payload["notification_id"]
    assert payload["link"] == item["link"] == "/trade/BTC-USDT"  # what the feed shows

    async def relayed() -> bool:
        async with h.component.engine.connect() as conn:
            pending = (
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
            return int(await conn.scalar(pending) or 0) == 0

    await eventually(relayed, "the outbox relay")
    assert len(seen) == 1


async def test_email_only_announces_nothing(live: tuple[Harness, list[EventEnvelope]]) -> None:
    h, seen = live
    user = await h.register("quiet@example.com")
    note = command("auth.welcome", [user], channels=["email"])
    await h.bus.publish(note)
    await h.settled(note.payload["notification_id"], 1)
    async with h.component.engine.connect() as conn:
        assert int(await conn.scalar(select(func.count()).select_from(outbox)) or 0) == 0
    assert seen == []
