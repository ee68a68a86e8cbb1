"""Fixtures of the user service tests: the real service on SQLite (tmp_path), a fake
files service speaking the internal files contract, an in-memory bus."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from burency_users.settings import UsersSettings

from .users_testing.harness import Harness, running_harness


@pytest.fixture
def make_settings(
    tmp_path: Path, settings_factory: Callable[..., Any]
) -> Callable[..., UsersSettings]:
    def make(**overrides: Any) -> UsersSettings:
        values: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'users.db'}",
            **overrides,
        }
        settings: UsersSettings = settings_factory(UsersSettings, **values)
        return settings

    return make


@pytest.fixture
async def harness(make_settings: Callable[..., UsersSettings]) -> AsyncIterator[Harness]:
    async with running_harness(make_settings()) as h:
        yield h
