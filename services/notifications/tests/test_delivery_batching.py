"""The delivery worker keeps up with a burst (issue #14: ~4 in-app deliveries/s under
transfer load, 224 s to catch up): deliveries over local channels (the in-app feed,
embedded mode's e-mail recorder) are leased, sent and recorded a batch per transaction,
and each in-app item commits with its ``sent`` status (so none is lost or doubled).
The figures are in bench/notifications_delivery.py; here the transactions are counted.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import event, func, select

from burency_common.bus import InMemoryBus
from burency_common.db import migrate
from burency_notifications.adapters.orm import deliveries, in_app, outbox
from burency_notifications.component import MIGRATIONS, NotificationsComponent, build_component
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import command, registered_event

BURST = 40  # notifications, two channels each: 80 deliveries, more than one batch


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


async def _count(component: NotificationsComponent, table: Any, *where: Any) -> int:
    async with component.context.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def test_a_burst_is_delivered_in_a_few_transactions(
    idle: tuple[NotificationsComponent, InMemoryBus],
) -> None:
    component, bus = idle
    await bus.publish(registered_event("u-burst", "burst@example.com"))
    for _ in range(BURST):
        await bus.publish(command("auth.welcome", ["u-burst"], channels=["in_app", "email"]))
    assert await _count(component, deliveries, deliveries.c.status == "queued") == 2 * BURST

    commits = 0

    def counted(*_: Any) -> None:
        nonlocal commits
        commits += 1

    event.listen(component.engine.sync_engine, "commit", counted)
    try:
        assert await component.worker.run_once() == 2 * BURST
    finally:
        event.remove(component.engine.sync_engine, "commit", counted)

    # one per delivery was 4-5 (lease, read, feed item, record): now per batch of 50 a
    # read of what is due, a lease, a read of the messages and one record, + a last look
    assert commits <= 12, f"{commits} commits for {2 * BURST} deliveries"
    assert await _count(component, deliveries, deliveries.c.status == "sent") == 2 * BURST
    assert await _count(component, in_app) == BURST  # one feed item each, none doubled
    assert await _count(component, outbox) == BURST  # and one live announcement each
    recorder = component.context.recorder
    assert recorder is not None
    assert len([m for m in recorder.sent if m.channel == "email"]) == BURST
    assert await component.worker.run_once() == 0  # nothing left, nothing sent twice
