"""The ledger's transfer statement runs straight on asyncpg (``fetch_on_asyncpg``) yet
stays inside the caller's unit of work: it commits and rolls back with the caller's
transaction, falls back to SQLAlchemy when no transaction is open, and fails the way
SQLAlchemy fails (``DBAPIError``, a dead connection invalidated). PostgreSQL only: that
is the only database with this path."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from banking_testing.harness import LedgerDb, ledger_database
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from burency_banking.adapters.db import fetch_on_asyncpg
from burency_banking.adapters.orm import ledger_transfers
from burency_banking.ledger import TransferSpec

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg(postgres_database_factory: Callable[..., str]) -> AsyncIterator[LedgerDb]:
    async with ledger_database(postgres_database_factory()) as db:
        yield db


async def _exists(pg: LedgerDb, transfer_id: str) -> bool:
    async with pg.engine.connect() as db:
        found = await db.scalar(
            select(ledger_transfers.c.id).where(ledger_transfers.c.id == transfer_id)
        )
    return found is not None


async def test_the_statement_takes_the_driver_path_inside_a_transaction(pg: LedgerDb) -> None:
    async with pg.engine.begin() as db:
        rows = await fetch_on_asyncpg(db, "SELECT $1::int AS n", (7,))
        assert rows is not None
        assert [dict(row) for row in rows] == [{"n": 7}]
    async with pg.engine.connect() as db:  # no transaction open: SQLAlchemy's path
        assert await fetch_on_asyncpg(db, "SELECT 1", ()) is None


async def test_a_transfer_as_first_statement_rolls_back_with_the_caller(pg: LedgerDb) -> None:
    alice, bob = await pg.fund("alice", "AED", 500), await pg.fund("bob", "AED", 1)
    async with pg.engine.connect() as db:
        await db.begin()
        await pg.ledger.transfer(db, TransferSpec("t-rolled-back", "AED", alice, bob, 200, "i"))
        await db.rollback()  # the caller gives up
    assert not await _exists(pg, "t-rolled-back")
    async with pg.engine.connect() as db:
        assert (await pg.ledger.balance(db, alice)).posted == 500
        assert (await pg.ledger.balance(db, bob)).posted == 1


async def test_a_transfer_commits_with_the_callers_other_writes(pg: LedgerDb) -> None:
    alice, bob = await pg.fund("alice", "AED", 500), await pg.fund("bob", "AED", 1)
    async with pg.engine.begin() as db:
        await db.execute(text("CREATE TABLE side_effects (note text)"))
        await db.execute(text("INSERT INTO side_effects VALUES ('before')"))
        await pg.ledger.transfer(db, TransferSpec("t-committed", "AED", alice, bob, 200, "i"))
        await db.execute(text("INSERT INTO side_effects VALUES ('after')"))
    assert await _exists(pg, "t-committed")
    async with pg.engine.connect() as db:
        notes = (await db.execute(text("SELECT note FROM side_effects ORDER BY note"))).scalars()
        assert list(notes) == ["after", "before"]
        assert (await pg.ledger.balance(db, bob)).posted == 201


async def test_without_an_open_transaction_sqlalchemy_begins_and_commits(pg: LedgerDb) -> None:
    alice, bob = await pg.fund("alice", "AED", 500), await pg.fund("bob", "AED", 1)
    async with pg.engine.connect() as db:
        await pg.ledger.transfer(db, TransferSpec("t-autobegun", "AED", alice, bob, 100, "i"))
        await db.commit()
    assert await _exists(pg, "t-autobegun")


async def test_database_errors_surface_as_sqlalchemy_errors(pg: LedgerDb) -> None:
    async with pg.engine.connect() as db:
        await db.begin()
        with pytest.raises(DBAPIError) as caught:
            await fetch_on_asyncpg(db, "SELECT 1 / $1::int", (0,))
        assert "division by zero" in str(caught.value.orig)
        assert not db.invalidated
        await db.rollback()


async def test_a_connection_killed_under_the_driver_path_is_invalidated(pg: LedgerDb) -> None:
    alice, bob = await pg.fund("alice", "AED", 500), await pg.fund("bob", "AED", 1)
    async with pg.engine.connect() as db:
        await db.begin()
        pid = await db.scalar(text("SELECT pg_backend_pid()"))
        async with pg.engine.connect() as killer:
            await killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as caught:
            await pg.ledger.transfer(db, TransferSpec("t-killed", "AED", alice, bob, 100, "i"))
        assert caught.value.connection_invalidated or db.invalidated
    assert not await _exists(pg, "t-killed")
    async with pg.engine.begin() as db:  # the pool hands out a working connection again
        await pg.ledger.transfer(db, TransferSpec("t-after", "AED", alice, bob, 100, "i"))
    assert await _exists(pg, "t-after")
