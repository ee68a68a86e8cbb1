"""Database helpers: async engines and sessions from a URL, and the Alembic runner.

The same code runs on ``sqlite+aiosqlite://`` (embedded mode) and
``postgresql+asyncpg://`` (distributed mode). SQLite gets WAL journaling, foreign
keys and a busy timeout, so several connections of one process cooperate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from burency_common.private_files import private_file

__all__ = [
    "create_engine",
    "create_session_factory",
    "is_postgres",
    "is_sqlite",
    "migrate",
    "pop_writes",
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


def _note_writes(
    conn: Connection, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    """Mark the connection when a statement changed rows (compiled or textual DML)."""
    compiled_dml = context is not None and (
        context.isinsert or context.isupdate or context.isdelete
    )
    if compiled_dml or statement.lstrip()[:7].upper().startswith(_WRITE_VERBS):
        conn.info[_WROTE] = True


def pop_writes(connection: AsyncConnection) -> bool:
    """Whether the connection changed rows since the last call (and forget it).

    Units of work use it to run post-commit hooks (waking workers and relays) only after
    a transaction that wrote: a read-only request or an idle poll must wake nothing, or
    two workers that wake each other spin forever on an idle machine.
    """
    return bool(connection.info.pop(_WROTE, False))


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
