"""Fixtures of the auth tests: the real service on SQLite (tmp_path), a manual clock."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from burency_auth.settings import AuthSettings
from burency_common.timeutil import ManualClock

from .auth_testing.harness import CHEAP_ARGON2, Harness, running_harness


@pytest.fixture
def make_settings(
    tmp_path: Path, settings_factory: Callable[..., Any]
) -> Callable[..., AuthSettings]:
    def make(**overrides: Any) -> AuthSettings:
        values: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}",
            "data_key": secrets.token_hex(32),
            **CHEAP_ARGON2,
            **overrides,
        }
        settings: AuthSettings = settings_factory(AuthSettings, **values)
        return settings

    return make


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def harness(
    make_settings: Callable[..., AuthSettings], clock: ManualClock
) -> AsyncIterator[Harness]:
    async with running_harness(make_settings(), clock) as h:
        yield h
