"""What depends on the database, on SQLite AND real PostgreSQL: migrations match the
tables, concurrent redelivery of one command queues one set of deliveries, the
recipient directory is idempotent, preferences upsert."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from burency_notifications.adapters.orm import deliveries, metadata, recipients
from burency_notifications.service import preferences
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, registered_event, running_harness


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_harness(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., NotificationsSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides)) as h:
        yield h


async def _count(h: Harness, table: Any, **where: str) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    async with h.component.engine.connect() as conn:
        return int(await conn.scalar(query) or 0)


async def test_migrations_match_the_table_definitions(db_harness: Harness) -> None:
    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with db_harness.component.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_concurrent_redelivery_queues_once(db_harness: Harness) -> None:
    handler = db_harness.component.on_send_notification
    first = command("auth.welcome", ["u-1", "u-2"], channels=["in_app", "email"])
    same_id = command("auth.welcome", ["u-1"], notification_id=first.payload["notification_id"])
    await asyncio.gather(*(handler(first) for _ in range(4)), handler(same_id), handler(same_id))
    notification_id = first.payload["notification_id"]
    assert await _count(db_harness, deliveries, notification_id=notification_id) == 4


async def test_recipient_directory_is_idempotent(db_harness: Harness) -> None:
    handler = db_harness.component.on_user_registered
    event = registered_event("u-dir", "dir@example.com")
    await asyncio.gather(*(handler(event) for _ in range(3)))
    await handler(registered_event("u-dir", "other@example.com"))  # replay, new event id
    assert await _count(db_harness, recipients, user_id="u-dir") == 1
    async with db_harness.component.engine.connect() as conn:
        email = await conn.scalar(select(recipients.c.email).where(recipients.c.user_id == "u-dir"))
    assert email == "dir@example.com"


async def test_preferences_upsert(db_harness: Harness) -> None:
    ctx = db_harness.component.context
    for enabled in (False, True, False):
        await preferences.set_preferences(
            ctx, user_id="u-p", changes=[("price.alert", "push", enabled)]
        )
    prefs = await preferences.get_preferences(ctx, user_id="u-p")
    [pref] = [p for p in prefs if (p.event, p.channel) == ("price.alert", "push")]
    assert pref.enabled is False
