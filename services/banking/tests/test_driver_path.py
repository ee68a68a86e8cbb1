"""The ledger's transfer statement runs straight on asyncpg (``fetch_on_asyncpg``) yet
stays inside the caller's unit of work: it commits and rolls back with the caller's
transaction and savepoints, falls back to SQLAlchemy when no transaction is open, and
fails the way SQLAlchemy fails (same exception classes, a dead or cancelled connection
invalidated). PostgreSQL only: that is the only database with this path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

import burency_banking.adapters.ledger_store as ledger_store
from burency_banking.adapters.asyncpg_direct import _adapter_in_transaction, fetch_on_asyncpg
from burency_banking.adapters.db import create_banking_engine
from burency_banking.adapters.orm import ledger_transfers
from burency_banking.ledger import Ledger, TransferSpec
from burency_testing.waiting import eventually

from .banking_testing.harness import LedgerDb, ledger_database

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg(postgres_database_factory: Callable[..., str]) -> AsyncIterator[LedgerDb]:
    async with ledger_database(postgres_database_factory()) as db:
        yield db


@pytest.fixture
def driver_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, for every ledger transfer statement, whether it took the driver path."""
    calls: list[bool] = []

    async def spy(db: AsyncConnection, sql: str, args: Any) -> list[Any] | None:
        rows = await fetch_on_asyncpg(db, sql, args)
        calls.append(rows is not None)
        return rows

    monkeypatch.setattr(ledger_store, "fetch_on_asyncpg", spy)
    return calls


async def _exists(pg: LedgerDb, transfer_id: str) -> bool:
    async with pg.engine.connect() as db:
        stmt = select(ledger_transfers.c.id).where(ledger_transfers.c.id == transfer_id)
        return await db.scalar(stmt) is not None


async def _accounts(pg: LedgerDb) -> tuple[str, str]:
    return await pg.fund("alice", "AED", 500), await pg.fund("bob", "AED", 1)


def _spec(transfer_id: str, debit: str, credit: str, amount: int = 100) -> TransferSpec:
    return TransferSpec(transfer_id, "AED", debit, credit, amount, "i")


async def test_the_ledger_statement_takes_the_driver_path(
    pg: LedgerDb, driver_calls: list[bool]
) -> None:
    alice, bob = await _accounts(pg)
    async with pg.engine.begin() as db:
        await pg.ledger.transfer(db, _spec("t-direct", alice, bob))
    assert driver_calls[-1] is True
    async with pg.engine.connect() as db:  # no transaction open: SQLAlchemy's path
        assert await fetch_on_asyncpg(db, "SELECT 1", ()) is None


async def test_a_transfer_rolls_back_with_the_caller_first_or_not(
    pg: LedgerDb, driver_calls: list[bool]
) -> None:
    alice, bob = await _accounts(pg)
    driver_calls.clear()
    for first in (True, False):
        async with pg.engine.connect() as db:
            await db.begin()
            if not first:
                await db.execute(text("SELECT 1"))
            await pg.ledger.transfer(db, _spec(f"t-rolled-back-{first}", alice, bob, 200))
            await db.rollback()  # the caller gives up
        assert not await _exists(pg, f"t-rolled-back-{first}")
    assert driver_calls == [True, True]
    async with pg.engine.connect() as db:
        assert (await pg.ledger.balance(db, alice)).posted == 500
        assert (await pg.ledger.balance(db, bob)).posted == 1


async def test_a_savepoint_rollback_undoes_the_transfer(pg: LedgerDb) -> None:
    alice, bob = await _accounts(pg)
    async with pg.engine.begin() as db:
        savepoint = await db.begin_nested()
        await pg.ledger.transfer(db, _spec("t-in-savepoint", alice, bob))
        await savepoint.rollback()
        await pg.ledger.transfer(db, _spec("t-after-savepoint", alice, bob))
    assert not await _exists(pg, "t-in-savepoint")
    assert await _exists(pg, "t-after-savepoint")


async def test_a_transfer_commits_with_the_callers_other_writes(pg: LedgerDb) -> None:
    alice, bob = await _accounts(pg)
    async with pg.engine.begin() as db:
        await db.execute(text("CREATE TABLE side_effects (note text)"))
        await db.execute(text("INSERT INTO side_effects VALUES ('before')"))
        await pg.ledger.transfer(db, _spec("t-committed", alice, bob, 200))
        await db.execute(text("INSERT INTO side_effects VALUES ('after')"))
    assert await _exists(pg, "t-committed")
    async with pg.engine.connect() as db:
        notes = (await db.execute(text("SELECT note FROM side_effects ORDER BY note"))).scalars()
        assert list(notes) == ["after", "before"]
        assert (await pg.ledger.balance(db, bob)).posted == 201


async def test_without_an_open_transaction_sqlalchemy_begins_and_commits(
    pg: LedgerDb, driver_calls: list[bool]
) -> None:
    alice, bob = await _accounts(pg)
    driver_calls.clear()
    async with pg.engine.connect() as db:
        await pg.ledger.transfer(db, _spec("t-autobegun", alice, bob))
        await db.commit()
    assert driver_calls == [False]
    assert await _exists(pg, "t-autobegun")


async def _error_of(db: AsyncConnection, sql: str, *, direct: bool) -> DBAPIError:
    await db.begin()
    run = fetch_on_asyncpg(db, sql, ()) if direct else db.exec_driver_sql(sql)
    with pytest.raises(DBAPIError) as caught:
        await run
    await db.rollback()
    return caught.value


@pytest.mark.parametrize(
    "sql",
    ["SELECT 1 / 0", "INSERT INTO ledger_accounts (id) VALUES (NULL)", "SELECT no_such_column"],
)
async def test_errors_are_the_ones_sqlalchemy_raises(pg: LedgerDb, sql: str) -> None:
    async with pg.engine.connect() as db:
        direct = await _error_of(db, sql, direct=True)
        assert not db.invalidated
        usual = await _error_of(db, sql, direct=False)
    assert type(direct) is type(usual)
    assert type(direct.orig) is type(usual.orig)
    assert direct.__cause__ is direct.orig


async def test_a_violated_constraint_is_an_integrity_error(pg: LedgerDb) -> None:
    alice, _ = await _accounts(pg)
    async with pg.engine.connect() as db:
        await db.begin()
        with pytest.raises(IntegrityError):  # user balances may not go negative
            await fetch_on_asyncpg(
                db, "UPDATE ledger_accounts SET posted = -1 WHERE id = $1", (alice,)
            )
        await db.rollback()


async def test_a_connection_killed_under_the_driver_path_is_invalidated(pg: LedgerDb) -> None:
    alice, bob = await _accounts(pg)
    async with pg.engine.connect() as db:
        await db.begin()
        pid = await db.scalar(text("SELECT pg_backend_pid()"))
        async with pg.engine.connect() as killer:
            await killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as caught:
            await pg.ledger.transfer(db, _spec("t-killed", alice, bob))
        assert caught.value.connection_invalidated
        assert db.invalidated
    assert not await _exists(pg, "t-killed")
    async with pg.engine.begin() as db:  # the pool hands out a working connection again
        await pg.ledger.transfer(db, _spec("t-after", alice, bob))
    assert await _exists(pg, "t-after")


async def test_a_transfer_cancelled_mid_begin_leaves_no_half_open_connection(
    pg: LedgerDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled while its BEGIN is in flight, the connection is invalidated; the next
    unit of work on the (single-connection) pool really commits."""
    alice, bob = await _accounts(pg)
    entered, completed = asyncio.Event(), []

    async def spy(db: AsyncConnection, sql: str, args: Any) -> list[Any] | None:
        entered.set()  # from here the task's next wait is BEGIN's answer
        rows = await fetch_on_asyncpg(db, sql, args)
        completed.append(rows is not None)
        return rows

    monkeypatch.setattr(ledger_store, "fetch_on_asyncpg", spy)
    url = pg.engine.url.render_as_string(hide_password=False)
    engine = create_banking_engine(url, pool_size=1, max_overflow=0)
    ledger = Ledger(pg.ledger.assets)
    try:

        async def unit_of_work(transfer_id: str) -> None:
            async with engine.begin() as db:
                await ledger.transfer(db, _spec(transfer_id, alice, bob))

        async with engine.connect() as db:  # the pool's one connection, opened and idle
            await db.execute(text("SELECT 1"))
        task = asyncio.create_task(unit_of_work("t-cancelled"))
        await asyncio.wait_for(entered.wait(), timeout=10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await unit_of_work("t-next")
    finally:
        await engine.dispose()
    assert completed == [True]  # t-next took the driver path; t-cancelled never finished
    assert not await _exists(pg, "t-cancelled")
    assert await _exists(pg, "t-next")  # seen from another connection: committed


async def _backend_gone(pg: LedgerDb, pid: int) -> bool:
    async with pg.engine.connect() as db:
        found = await db.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        )
    return found == 0


async def _waiting_on_a_lock(pg: LedgerDb, pid: int) -> bool:
    async with pg.engine.connect() as db:
        wait = await db.scalar(
            text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        )
    return wait == "Lock"


async def test_a_cancelled_lock_waiting_statement_is_cancelled_on_the_server(
    pg: LedgerDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transfer waiting on a row lock is cancelled (a request timeout, a client gone):
    the server must stop it at once. Before, the connection was force-closed before
    asyncpg sent its CancelRequest, so the backend kept waiting, holding a connection
    slot (and any locks it had), until the other transaction ended."""
    alice, bob = await _accounts(pg)
    pids: list[int] = []
    started, direct = asyncio.Event(), []

    async def spy(db: AsyncConnection, sql: str, args: Any) -> list[Any] | None:
        direct.append(_adapter_in_transaction(db) is not None)  # will take the driver path
        return await fetch_on_asyncpg(db, sql, args)

    monkeypatch.setattr(ledger_store, "fetch_on_asyncpg", spy)

    async def unit_of_work() -> None:
        async with pg.engine.begin() as db:
            pids.append(await db.scalar(text("SELECT pg_backend_pid()")))
            started.set()
            await pg.ledger.transfer(db, _spec("t-lock-waiting", alice, bob))

    async with pg.engine.connect() as locker:
        await locker.begin()
        await locker.execute(
            text("SELECT id FROM ledger_accounts WHERE id = :id FOR UPDATE"), {"id": alice}
        )
        task = asyncio.create_task(unit_of_work())
        await asyncio.wait_for(started.wait(), timeout=10)
        pid = pids[0]
        await eventually(lambda: _waiting_on_a_lock(pg, pid), "the transfer to wait on the lock")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # the lock is still held: only a server-side cancel ends that backend now
        await eventually(lambda: _backend_gone(pg, pid), "the backend to end", timeout=10)
        await locker.rollback()
    assert direct == [True]
    assert not await _exists(pg, "t-lock-waiting")


async def test_an_autocommit_connection_takes_sqlalchemys_path(pg: LedgerDb) -> None:
    async with pg.engine.connect() as db:
        await db.execution_options(isolation_level="AUTOCOMMIT")
        await db.begin()
        assert await fetch_on_asyncpg(db, "SELECT 1", ()) is None
        await db.rollback()


async def test_an_error_the_adapter_does_not_map_comes_out_raw(
    pg: LedgerDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on SQLAlchemy's path: what the asyncpg adapter does not translate is raised as
    it is, not wrapped in ``StatementError``, and does not invalidate the connection."""

    class Unmapped(RuntimeError):
        pass

    async def fails(*_: Any, **__: Any) -> Any:
        raise Unmapped("not a database error")

    async with pg.engine.connect() as db:
        await db.begin()
        await db.execute(text("SELECT 1"))
        monkeypatch.setattr(asyncpg.Connection, "fetch", fails)
        monkeypatch.setattr(asyncpg.Connection, "prepare", fails)
        # statements not yet prepared on this connection, so both paths reach asyncpg
        for run in (lambda: fetch_on_asyncpg(db, "SELECT 2", ()),
                    lambda: db.exec_driver_sql("SELECT 3")):  # fmt: skip
            with pytest.raises(Unmapped):
                await run()
            assert not db.invalidated
        monkeypatch.undo()
        await db.rollback()
