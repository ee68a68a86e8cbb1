"""The banking service's engine: :func:`burency_common.db.create_engine`, plus, on
SQLite, transactions that take the write lock when they begin.

pysqlite/aiosqlite start a *deferred* transaction: it reads under a shared lock and
upgrades to the write lock at its first write. Two such transactions that both read a
balance and then write cannot both upgrade, and SQLite answers the second with
"database is locked" at once (the busy timeout does not apply to an upgrade that would
deadlock). The ledger reads then writes in every transaction, so on SQLite every
transaction here begins with ``BEGIN IMMEDIATE``: it waits (up to the busy timeout) for
the write lock up front, and concurrent writers queue instead of failing. This is the
pattern SQLAlchemy documents for taking over SQLite's transaction control (driver
``isolation_level = None``, our own ``BEGIN`` in the ``begin`` event). PostgreSQL is
untouched: there the ledger locks account rows ``FOR UPDATE``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry

from burency_common.db import create_engine, is_sqlite

__all__ = ["create_banking_engine", "fetch_on_asyncpg"]


def create_banking_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """The engine of the banking database (see the module docstring).

    On PostgreSQL the pool does not ping a connection before each checkout: that round
    trip was a third of a ledger transfer's cost. A connection that died with a database
    restart fails its first statement instead; SQLAlchemy then invalidates the pool, the
    failed transaction rolled back, and the client's retry (same Idempotency-Key) runs
    on a fresh connection.
    """
    if not is_sqlite(url):
        kwargs.setdefault("pool_pre_ping", False)
    engine = create_engine(url, **kwargs)
    if is_sqlite(engine):
        event.listen(engine.sync_engine, "connect", _driver_autocommit)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _driver_autocommit(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


async def fetch_on_asyncpg(
    db: AsyncConnection, sql: str, args: Sequence[Any]
) -> list[Mapping[str, Any]] | None:
    """Run ``sql`` (``$n`` parameters) directly on the asyncpg connection under ``db``,
    inside ``db``'s transaction; None when that is not possible (another driver, or no
    transaction open), and the caller then goes through SQLAlchemy.

    For the ledger's transfer statement only: SQLAlchemy's execution layer (context,
    cursor and result objects, a greenlet hop) cost about as much Python time as the
    statement's own round trip (docs/adr/0012-banking-core-connections.md). The
    transaction is started exactly as SQLAlchemy's asyncpg adapter starts it (it
    begins lazily at the first statement), so commit and rollback stay SQLAlchemy's.
    Errors are raised as SQLAlchemy's ``DBAPIError`` family, and a connection found
    closed is invalidated, as on the normal path.
    """
    adapted = _asyncpg_adapter(db)
    if adapted is None:
        return None
    async with adapted._execute_mutex:
        try:
            if adapted._transaction is None:
                await adapted._start_transaction()
            return cast("list[Mapping[str, Any]]", await adapted._connection.fetch(sql, *args))
        except Exception as error:
            translated = _translated(adapted, error)
    if db.dialect.is_disconnect(cast("Any", translated), adapted, None):
        await db.invalidate(translated)
    raise DBAPIError.instance(sql, args, translated, adapted.dbapi.Error, dialect=db.dialect)


def _asyncpg_adapter(db: AsyncConnection) -> Any | None:
    if db.dialect.driver != "asyncpg" or not db.in_transaction():
        return None
    sync = db.sync_connection
    if sync is None or sync.invalidated:
        return None
    adapted = sync.connection.dbapi_connection
    needed = ("_execute_mutex", "_transaction", "_start_transaction", "_connection")
    return adapted if all(hasattr(adapted, name) for name in needed) else None


def _translated(adapted: Any, error: Exception) -> Exception:
    """asyncpg's exception as the adapter's DB-API exception (what SQLAlchemy wraps)."""
    if not isinstance(error, adapted.dbapi.Error):
        try:
            adapted._handle_exception(error)  # raises the translation
        except Exception as translated:
            return translated
    return error
