"""What depends on the database, on SQLite AND real PostgreSQL: the migrations create
exactly the ledger's tables, and concurrent redeliveries of ``user.registered`` open
one account (the inbox and the get-or-create account hold under a race)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

import burency_banking.component  # noqa: F401 - registers every table of the service
from burency_banking.adapters.orm import (
    idempotency_keys,
    inbox,
    ledger_accounts,
    ledger_transfers,
    metadata,
    outbox,
    user_directory,
)
from burency_banking.settings import BankingSettings

from .banking_testing.harness import Harness, LedgerDb, registered_event, running_harness

MINE = {t.name for t in (ledger_accounts, ledger_transfers, user_directory, idempotency_keys,
                         outbox, inbox)}  # fmt: skip


def _table_of(diff: Any) -> str | None:
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item if isinstance(item, tuple) else (item,):
            name = getattr(part, "name", None)
            table = getattr(part, "table", None)
            if table is not None:
                return str(table.name)
            if isinstance(part, str) and part in MINE:
                return part
            if name in MINE:
                return str(name)
    return None


async def test_migrations_match_the_ledger_tables(ledger_db: LedgerDb) -> None:
    def diff(sync_conn: Any) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(sync_conn), metadata))

    async with ledger_db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert [d for d in differences if _table_of(d) in MINE] == []
    # the filter sees the tables: a table missing from the database would be reported
    assert _table_of(("add_table", ledger_transfers)) == "ledger_transfers"
    assert _table_of([("modify_nullable", None, "ledger_accounts", "held")]) == "ledger_accounts"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_harness(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., BankingSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides)) as h:
        yield h


async def _count(h: Harness, table: Any) -> int:
    async with h.component.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def test_concurrent_redelivery_opens_one_account(db_harness: Harness) -> None:
    handler = db_harness.component.handlers["user.registered"]
    event = registered_event("u-race", "race@example.com")
    await asyncio.gather(*(handler(event) for _ in range(5)))
    resent = registered_event("u-race", "race@example.com")  # same user, new event id
    await asyncio.gather(handler(resent), handler(resent))
    assert await _count(db_harness, ledger_accounts) == 1
    assert await _count(db_harness, user_directory) == 1
    assert await _count(db_harness, inbox) == 2
