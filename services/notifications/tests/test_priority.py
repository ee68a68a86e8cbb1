"""Priority: the worker leases ``high`` deliveries before ``normal`` before ``low``, even
behind a backlog larger than one batch; an unknown priority is an invalid command."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable

import pytest

from burency_common.bus import InMemoryBus
from burency_common.db import migrate
from burency_common.errors import EventSchemaError
from burency_notifications.component import MIGRATIONS, NotificationsComponent, build_component
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import command, registered_event


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def idle(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., NotificationsSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[tuple[NotificationsComponent, InMemoryBus]]:
    """The service with its worker *not* running: commands queue up until run_once."""
    url = postgres_database_factory() if request.param == "postgres" else None
    settings = make_settings(**({"database_url": url} if url else {}))
    component = build_component(settings, identity_secret=secrets.token_bytes(32))
    await migrate(component.engine, MIGRATIONS)
    bus = InMemoryBus()
    component.subscribe(bus)
    await bus.start()
    yield component, bus
    await bus.stop()
    await component.stop()


async def test_high_priority_is_sent_before_a_backlog(
    idle: tuple[NotificationsComponent, InMemoryBus],
) -> None:
    component, bus = idle
    await bus.publish(registered_event("u-prio", "prio@example.com"))
    backlog = []
    for i in range(30):
        for priority in ("low", "normal"):
            note = command("auth.welcome", ["u-prio"], channels=["email"], priority=priority)
            await bus.publish(note)
            backlog.append((priority, note.payload["notification_id"], i))
    urgent = command("auth.new_login", ["u-prio"], channels=["email"], priority="high",
                     data={"ip": "203.0.113.9", "device": "Firefox"})  # fmt: skip
    await bus.publish(urgent)  # queued last, behind 60 deliveries (more than one batch)
    assert await component.worker.run_once() == 61
    recorder = component.context.recorder
    assert recorder is not None
    order = [m.notification_id for m in recorder.sent]
    assert order[0] == urgent.payload["notification_id"]
    ranks = {nid: priority for priority, nid, _ in backlog}
    assert [ranks[nid] for nid in order[1:]] == ["normal"] * 30 + ["low"] * 30


async def test_unknown_priority_is_an_invalid_command(
    idle: tuple[NotificationsComponent, InMemoryBus],
) -> None:
    component, _ = idle
    with pytest.raises(EventSchemaError, match="unknown priority"):
        await component.on_send_notification(command("auth.welcome", ["u-1"], priority="urgent"))
