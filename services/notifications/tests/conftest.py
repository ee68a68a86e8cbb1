"""Fixtures of the notification service tests: the real service on SQLite (tmp_path),
an in-memory bus, fast delivery retries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, running_harness


@pytest.fixture
def make_settings(
    tmp_path: Path, settings_factory: Callable[..., Any]
) -> Callable[..., NotificationsSettings]:
    def make(**overrides: Any) -> NotificationsSettings:
        values: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}",
            "delivery_initial_backoff_seconds": 0.01,
            "delivery_max_backoff_seconds": 0.05,
            "worker_poll_seconds": 0.05,
            **overrides,
        }
        settings: NotificationsSettings = settings_factory(NotificationsSettings, **values)
        return settings

    return make


@pytest.fixture
async def harness(make_settings: Callable[..., NotificationsSettings]) -> AsyncIterator[Harness]:
    async with running_harness(make_settings()) as h:
        yield h
