"""Fixtures of the banking tests: the real service on SQLite (tmp_path) or PostgreSQL,
an in-memory bus, and a bare migrated ledger database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from burency_banking.settings import BankingSettings

from .banking_testing.harness import Harness, LedgerDb, ledger_database, running_harness


@pytest.fixture
def make_settings(
    tmp_path: Path, settings_factory: Callable[..., Any]
) -> Callable[..., BankingSettings]:
    def make(**overrides: Any) -> BankingSettings:
        values: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'banking.db'}",
            **overrides,
        }
        settings: BankingSettings = settings_factory(BankingSettings, **values)
        return settings

    return make


@pytest.fixture
async def harness(make_settings: Callable[..., BankingSettings]) -> AsyncIterator[Harness]:
    async with running_harness(make_settings()) as h:
        yield h


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def ledger_db(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[LedgerDb]:
    """A migrated banking database and a Ledger, on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        url = postgres_database_factory()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}"
    async with ledger_database(url) as db:
        yield db


@pytest.fixture
async def h(harness: Harness) -> Harness:
    """Short name of :func:`harness` for the API tests."""
    return harness
