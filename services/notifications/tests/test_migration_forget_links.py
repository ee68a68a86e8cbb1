"""Migration 0004 scrubs links that older versions stored in the feed, the live-push
outbox and the stored notifications, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from burency_common.db import create_engine, migrate
from burency_notifications.adapters.orm import (
    deliveries,
    in_app,
    notifications,
    outbox,
    recipients,
)
from burency_notifications.component import MIGRATIONS

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
LINK = "https://burency.test/reset-password?token=OLDT0KEN"


def _old_rows(event: str, n: int, language: str, status: str) -> list[tuple[Any, dict[str, Any]]]:
    user, note = f"u-{n}", f"n-{n}"
    live = {"payload": {"event": event, "body": f"Reset here: {LINK}"}}
    return [
        (recipients, {"user_id": user, "email": f"{user}@example.com", "language": language,
                      "created_at": NOW}),
        (notifications, {"id": note, "event": event, "priority": "normal", "created_at": NOW,
                         "data": {"url": LINK, "token": "OLDT0KEN"}}),
        (deliveries, {"id": f"d-{n}", "notification_id": note, "user_id": user,
                      "channel": "email", "status": status, "attempts": 1,
                      "next_attempt_at": NOW, "created_at": NOW, "updated_at": NOW}),
        (in_app, {"id": f"i-{n}", "user_id": user, "notification_id": note, "event": event,
                  "title": "Reset your password", "body": f"Reset here: {LINK}",
                  "created_at": NOW}),
        (outbox, {"event_id": f"e-{n}", "topic": "notification.in_app.created",
                  "event_key": user, "body": json.dumps(live).encode(), "created_at": NOW}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_old_links_are_scrubbed(
    database: str, tmp_path: Path, postgres_database_factory: Callable[..., str]
) -> None:
    url = (
        postgres_database_factory()
        if database == "postgres"
        else f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    )
    engine = create_engine(url)
    try:
        await migrate(engine, MIGRATIONS, "0003")
        async with engine.begin() as conn:
            rows = _old_rows("auth.password_reset", 1, "en", "sent")
            rows += _old_rows("auth.verify_email", 2, "ar", "sent")
            rows += _old_rows("auth.password_reset", 3, "en", "queued")  # mail not out yet
            for table, values in rows:
                await conn.execute(insert(table).values(**values))
        await migrate(engine, MIGRATIONS)
        async with engine.connect() as conn:
            feed = (await conn.execute(select(in_app.c.id, in_app.c.body))).all()
            live = (await conn.execute(select(outbox.c.body))).all()
            data = dict(
                (await conn.execute(select(notifications.c.id, notifications.c.data))).all()
            )
    finally:
        await engine.dispose()
    assert all("OLDT0KEN" not in body for _, body in feed)
    bodies = dict(feed)
    assert bodies["i-1"].startswith("A password reset was requested")
    assert "أرسلنا رابطاً" in bodies["i-2"]
    assert live == []
    assert data["n-1"] == {}
    assert data["n-2"] == {}
    assert data["n-3"]["url"] == LINK  # its e-mail still needs the link; the worker drops it
