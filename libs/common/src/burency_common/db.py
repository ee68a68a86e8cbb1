"""Database helpers: async engines and sessions from a URL, and the Alembic runner.

The same code runs on ``sqlite+aiosqlite://`` (embedded mode) and
``postgresql+asyncpg://`` (distributed mode). SQLite gets WAL journaling, foreign
keys and a busy timeout, so several connections of one process cooperate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import DateTime, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from burency_common.private_files import private_file

__all__ = [
    "ANY_TABLE",
    "UtcDateTime",
    "create_engine",
    "create_session_factory",
    "dialect_insert",
    "insert_ignore",
    "is_postgres",
    "is_sqlite",
    "migrate",
    "pop_writes",
    "pop_written",
    "upsert",
]


def is_sqlite(engine_or_url: AsyncEngine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, AsyncEngine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def is_postgres(engine_or_url: AsyncEngine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, AsyncEngine) else make_url(engine_or_url)
    return url.get_backend_name() == "postgresql"


def create_engine(url: str, *, echo: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``.

    A SQLite file (and its directory) is created owner-only before SQLite opens it:
    the databases hold password hashes and balances (see :mod:`burency_common.private_files`).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            private_file(Path(database))
        engine = create_async_engine(url, echo=echo, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        engine = create_async_engine(url, echo=echo, **kwargs)
    event.listen(engine.sync_engine, "after_cursor_execute", _note_writes)
    return engine


_WROTE = "burency_wrote"
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
ANY_TABLE = "*"
"""In :func:`pop_written`: a textual statement changed rows of a table not known here."""


def _note_writes(
    conn: Connection, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    """Note on the connection which tables a statement changed (compiled or textual DML)."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        name = getattr(table, "name", ANY_TABLE)
    elif statement.lstrip()[:7].upper().startswith(_WRITE_VERBS):
        name = ANY_TABLE
    else:
        return
    written: set[str] | None = conn.info.get(_WROTE)
    if written is None:
        conn.info[_WROTE] = {name}
    else:
        written.add(name)


def pop_written(connection: AsyncConnection) -> frozenset[str]:
    """The tables the connection changed rows of since the last call (and forget them);
    :data:`ANY_TABLE` among them when a textual statement wrote."""
    return frozenset(connection.info.pop(_WROTE, ()))


def pop_writes(connection: AsyncConnection) -> bool:
    """Whether the connection changed rows since the last call (and forget it).

    Units of work use it to run post-commit hooks (waking workers and relays) only after
    a transaction that wrote: a read-only request or an idle poll must wake nothing, or
    two workers that wake each other spin forever on an idle machine.
    """
    return bool(pop_written(connection))


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (responses are built after it)."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def migrate(engine: AsyncEngine, script_location: str | Path, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` with the Alembic scripts given.

    The connection is shared with Alembic through ``config.attributes["connection"]``
    (Alembic's documented pattern), so each service's ``env.py`` is the three lines of
    :func:`burency_common.migrations.run_env` and no ``alembic.ini`` is needed.
    """
    config = Config()
    config.set_main_option("script_location", str(script_location))
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, config, revision)


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops the zone on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value if isinstance(value, datetime) else None


Executor = AsyncConnection | AsyncSession
"""A unit of work's handle: a Core connection or an ORM session."""


def _dialect_name(db: Executor) -> str:
    if isinstance(db, AsyncConnection):
        return db.dialect.name
    return db.bind.dialect.name if db.bind is not None else "sqlite"


def dialect_insert(db: Executor, table: Table) -> postgresql.Insert | sqlite.Insert:
    """``INSERT`` into ``table`` in the dialect of ``db`` (PostgreSQL or SQLite): both have
    ``on_conflict_do_nothing`` / ``on_conflict_do_update`` with the same arguments, so a
    statement built on it runs on either backend. Prefer :func:`insert_ignore` and
    :func:`upsert`; use this for the rare statement they do not cover."""
    builder = postgresql.insert if _dialect_name(db) == "postgresql" else sqlite.insert
    return builder(table)


async def insert_ignore(
    db: Executor,
    table: Table,
    values: Mapping[str, Any],
    *,
    index_elements: Sequence[Any] | None = None,
) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING``; True when the row was inserted.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction
    and then does nothing: the claim pattern (inbox, idempotency keys) relies on it.
    """
    stmt = dialect_insert(db, table).values(**values)
    result = await db.execute(stmt.on_conflict_do_nothing(index_elements=index_elements))
    return bool(getattr(result, "rowcount", 0) == 1)


async def upsert(
    db: Executor,
    table: Table,
    values: Mapping[str, Any],
    *,
    index_elements: Sequence[Any],
    update: Sequence[str] | None = None,
    set_: Mapping[str, Any] | None = None,
    where: Any = None,
) -> bool:
    """``INSERT ... ON CONFLICT (index_elements) DO UPDATE ... [WHERE ...]``.

    On a conflict the existing row takes the proposed row's ``update`` columns (default:
    every value not in ``index_elements``) and then the literal ``set_`` values. ``where``
    is a clause, or a function of the proposed row (``excluded``) returning one, e.g.
    ``lambda new: table.c.updated_at <= new.updated_at`` (newest wins). Returns True
    when a row was inserted or updated (False when ``where`` kept the existing row).
    """
    stmt = dialect_insert(db, table).values(**values)
    new = stmt.excluded
    if update is None:
        keys = {getattr(element, "key", element) for element in index_elements}
        update = [name for name in values if name not in keys and name not in (set_ or {})]
    changes: dict[str, Any] = {name: new[name] for name in update}
    changes.update(set_ or {})
    condition = where(new) if callable(where) else where
    result = await db.execute(
        stmt.on_conflict_do_update(index_elements=index_elements, set_=changes, where=condition)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
