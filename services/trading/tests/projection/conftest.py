"""Fixtures of the projection tests: a migrated trading database on SQLite (tmp_path)
and on PostgreSQL (marker ``postgres``), and a hand-written journal of results."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.db import create_engine, migrate

from .journal import MIGRATIONS, Script


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[AsyncEngine]:
    """A trading database upgraded to head, on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        url = postgres_database_factory()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'trading.db'}"
    engine = create_engine(url)
    await migrate(engine, MIGRATIONS)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def script() -> Script:
    """Results as the runner would hand them: seq from 1, ts one millisecond apart."""
    return Script()
