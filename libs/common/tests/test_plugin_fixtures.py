"""The shared pytest fixtures behave as the services' suites rely on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from burency_common.config import BurencySettings


def test_settings_factory_ignores_the_developers_environment(
    monkeypatch: pytest.MonkeyPatch, settings_factory: Callable[..., Any]
) -> None:
    monkeypatch.setenv("BURENCY_PORT", "9999")
    settings = settings_factory(BurencySettings, service_name="x")
    assert settings.port == 8000
    assert settings.service_name == "x"


def test_unique_topic_differs_per_call(unique_topic: Callable[[str], str]) -> None:
    first, second = unique_topic("orders"), unique_topic("orders")
    assert first != second
    assert first.startswith("test.orders.")


@pytest.mark.postgres
async def test_postgres_database_is_fresh_and_usable(postgres_database: str) -> None:
    dsn = postgres_database.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        tables = await conn.fetchval(
            "select count(*) from information_schema.tables where table_schema = 'public'"
        )
    finally:
        await conn.close()
    assert tables == 0
