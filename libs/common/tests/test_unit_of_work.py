"""Post-commit hooks run after a transaction that wrote, and only then."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.db import create_engine, create_session_factory
from burency_common.unit_of_work import OnWrites, connection_transaction, session_transaction


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'uow.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (x INTEGER)"))
    yield engine
    await engine.dispose()


async def test_a_session_that_only_read_wakes_nobody(engine: AsyncEngine) -> None:
    woken: list[str] = []
    sessions = create_session_factory(engine)
    async with session_transaction(sessions, [lambda: woken.append("hook")]) as db:
        await db.execute(text("SELECT count(*) FROM t"))
    assert woken == []  # an idle worker's empty poll must not wake another worker
    async with session_transaction(sessions, [lambda: woken.append("hook")]) as db:
        await db.execute(text("INSERT INTO t VALUES (1)"))
    assert woken == ["hook"]
    with contextlib.suppress(RuntimeError):
        async with session_transaction(sessions, [lambda: woken.append("rolled back")]) as db:
            await db.execute(text("INSERT INTO t VALUES (2)"))
            raise RuntimeError("abort")
    async with session_transaction(sessions, [lambda: woken.append("after rollback")]) as db:
        await db.execute(text("SELECT 1"))
    assert woken == ["hook"]  # neither the rolled-back write nor a later read wakes


async def test_a_core_connection_follows_the_same_rule(engine: AsyncEngine) -> None:
    woken: list[str] = []
    async with connection_transaction(engine, [lambda: woken.append("read")]) as db:
        await db.execute(text("SELECT count(*) FROM t"))
    async with connection_transaction(engine, [lambda: woken.append("update")]) as db:
        await db.execute(text("UPDATE t SET x = 3"))
    assert woken == ["update"]  # an UPDATE that matched no row still wrote, as SQL sees it


async def test_a_table_hook_wakes_only_on_its_tables(engine: AsyncEngine) -> None:
    """The notifications' fan-out worker wakes on announcements written, not on every
    delivery recorded (it polled the database after each one)."""
    meta = MetaData()
    t = Table("t", meta, Column("x", Integer))
    other = Table("other", meta, Column("y", Integer))
    async with engine.begin() as connection:
        await connection.run_sync(other.create)
    woken: list[str] = []
    hooks = [OnWrites(frozenset({"t"}), lambda: woken.append("t")), lambda: woken.append("all")]
    async with connection_transaction(engine, hooks) as db:
        await db.execute(insert(other).values(y=1))
    assert woken == ["all"]
    async with session_transaction(create_session_factory(engine), hooks) as db:
        await db.execute(update(t).values(x=2))
    assert woken == ["all", "t", "all"]
    async with connection_transaction(engine, hooks) as db:
        await db.execute(text("DELETE FROM other"))  # textual: which table is not known
    assert woken == ["all", "t", "all", "t", "all"]
