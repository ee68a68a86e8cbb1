"""The welcome notification reaches the in-app feed whichever of its two events comes first.

Auth writes ``user.registered`` and the welcome ``SEND_NOTIFICATION`` in one
transaction, but they travel on two topics and may be consumed in either order. The
in-app item needs no address, so it must not wait for the directory; the e-mail waits
(``recipient_unknown`` is transient) and goes out once the address is known.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from burency_common.ids import new_id
from burency_notifications.settings import NotificationsSettings
from burency_testing.waiting import eventually

from .notifications_testing.harness import Harness, command, registered_event, running_harness


@pytest.fixture
async def patient(make_settings: Callable[..., NotificationsSettings]) -> AsyncIterator[Harness]:
    """E-mail retries that last over a minute: the address arrives long before they end."""
    slow = make_settings(
        delivery_max_attempts=20,
        delivery_initial_backoff_seconds=1.0,
        delivery_max_backoff_seconds=5.0,
    )
    async with running_harness(slow) as h:
        yield h


async def _feed_events(harness: Harness, user: str) -> list[str]:
    response = await harness.call("GET", "/v1/notifications", user)
    assert response.status_code == 200, response.text
    return [item["event"] for item in response.json()["items"]]


async def test_a_welcome_before_the_registration_is_in_the_feed_at_once(
    patient: Harness,
) -> None:
    harness = patient
    user = new_id()
    welcome = command("auth.welcome", [user], data={})
    await harness.bus.publish(welcome)

    async def in_feed() -> bool:
        return "auth.welcome" in await _feed_events(harness, user)

    await eventually(in_feed, "the welcome in the feed before the address is known")
    rows = await harness.deliveries(welcome.payload["notification_id"])
    assert rows[(user, "in_app")].status == "sent"
    assert rows[(user, "email")].status == "queued"  # waiting for user.registered

    await harness.bus.publish(registered_event(user, "late@example.com"))

    async def mailed() -> bool:
        row = (await harness.deliveries(welcome.payload["notification_id"]))[(user, "email")]
        return bool(row.status == "sent")

    await eventually(mailed, "the welcome e-mail once the address is known")


async def test_a_welcome_after_the_registration_is_in_the_feed(harness: Harness) -> None:
    user = await harness.register("early@example.com")
    welcome = command("auth.welcome", [user], data={})
    await harness.bus.publish(welcome)
    rows = await harness.settled(welcome.payload["notification_id"], 4)
    assert rows[(user, "in_app")].status == "sent"
    assert rows[(user, "email")].status == "sent"
    assert await _feed_events(harness, user) == ["auth.welcome"]
