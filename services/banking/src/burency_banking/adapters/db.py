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

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry

from burency_common.db import create_engine, is_sqlite

__all__ = ["create_banking_engine"]


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
    elif make_url(url).database not in (None, "", ":memory:"):
        _one_connection(kwargs)
    engine = create_engine(url, **kwargs)
    if is_sqlite(engine):
        event.listen(engine.sync_engine, "connect", _driver_autocommit)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _one_connection(kwargs: dict[str, Any]) -> None:
    """SQLite: one pooled connection, so transactions queue in order in the pool.

    Every transaction takes the write lock anyway (``BEGIN IMMEDIATE``), so a second
    connection only ever waited in SQLite's busy handler, which sleeps in growing
    steps between attempts: with 16 concurrent writers a few waited about a second
    (p99) while others went first. Waiting in the pool is first come, first served
    (p99 about 0.1 s at the same throughput). The pool's timeout matches the busy
    timeout (10 s)."""
    kwargs.setdefault("pool_size", 1)
    kwargs.setdefault("max_overflow", 0)
    kwargs.setdefault("pool_timeout", 10)


def _driver_autocommit(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
