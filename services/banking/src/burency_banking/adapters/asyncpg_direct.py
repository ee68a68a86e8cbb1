"""One statement sent straight on asyncpg, inside the caller's SQLAlchemy transaction.

For the ledger's transfer statement only (docs/adr/0013-ledger-statement-on-the-driver.md):
SQLAlchemy's execution layer (execution context, cursor adapter, result and row
objects, a greenlet hop) cost about a quarter of a transfer's Python CPU. Everything
around the statement stays SQLAlchemy's:

* the transaction: the driver-level transaction is started exactly as SQLAlchemy's
  asyncpg adapter starts it (lazily, at the first statement, under its execute lock),
  so the caller's commit and rollback (and savepoints) cover the statement;
* failures: every exception, cancellation included, goes through SQLAlchemy's own
  handler (``Connection._handle_dbapi_exception``), so callers see the same exception
  classes, ``connection_invalidated``, pool invalidation on a disconnect,
  ``hide_parameters`` and ``handle_error`` events; a cancelled or timed-out statement
  invalidates the connection, whose transaction state is then unknown. The handler
  runs in a greenlet (``greenlet_spawn``), as on SQLAlchemy's own path, so that
  invalidating closes the connection gracefully: asyncpg first sends the server the
  CancelRequest for a cancelled statement. Outside a greenlet SQLAlchemy can only
  force-close the socket, and the server went on running the statement (waiting on a
  row lock, holding a connection slot) until it ended by itself. Errors the adapter
  does not translate are raised as they are, as SQLAlchemy's path raises them.

It relies on private members of SQLAlchemy's asyncpg adapter (:data:`_ADAPTER_MEMBERS`).
SQLAlchemy is pinned in ``uv.lock``; if an upgrade drops one of them the statement
goes through SQLAlchemy again, and ``tests/test_driver_path.py`` fails, since it
asserts this path is taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from sqlalchemy.engine import Connection
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util import greenlet_spawn

__all__ = ["fetch_on_asyncpg"]

_ADAPTER_MEMBERS = ("_execute_mutex", "_transaction", "_start_transaction", "_connection",
                    "_handle_exception", "autocommit", "dbapi")  # fmt: skip


async def fetch_on_asyncpg(db: AsyncConnection, sql: str, args: Sequence[Any]) -> list[Any] | None:
    """The rows (asyncpg ``Record``s, read by column name) of ``sql`` (``$n``
    parameters) run on the asyncpg connection under ``db`` inside ``db``'s open
    transaction; None when that is not possible (another driver, no transaction open,
    an autocommit connection, an invalidated one): the caller then uses SQLAlchemy."""
    adapted = _adapter_in_transaction(db)
    if adapted is None:
        return None
    async with adapted._execute_mutex:
        try:
            if adapted._transaction is None:
                await adapted._start_transaction()
            return list(await adapted._connection.fetch(sql, *args))
        except BaseException as error:
            await greenlet_spawn(_raise_as_sqlalchemy_does, db, adapted, error, sql, args)
            raise  # not reached: the handler always raises


def _adapter_in_transaction(db: AsyncConnection) -> Any | None:
    sync = db.sync_connection
    if db.dialect.driver != "asyncpg" or sync is None or sync.invalidated:
        return None
    if not sync.in_transaction():
        return None  # SQLAlchemy's execute would autobegin; let it
    adapted: Any = sync.connection.dbapi_connection
    if not all(hasattr(adapted, name) for name in _ADAPTER_MEMBERS) or adapted.autocommit:
        return None
    return adapted


def _raise_as_sqlalchemy_does(
    db: AsyncConnection, adapted: Any, error: BaseException, sql: str, args: Sequence[Any]
) -> NoReturn:
    """Hand ``error`` to SQLAlchemy's handler, as its own execute path would.

    Runs in a greenlet, where invalidating a connection closes it gracefully (asyncpg
    sends a pending CancelRequest first); ``error`` is raised again here because the
    handler reads ``sys.exc_info()``, which a new greenlet does not inherit. asyncpg's
    own exceptions are first translated to the adapter's DB-API ones, which is what
    that handler expects."""
    sync: Connection | None = db.sync_connection
    assert sync is not None
    try:
        raise error
    except BaseException:
        if isinstance(error, Exception) and not isinstance(error, adapted.dbapi.Error):
            try:
                adapted._handle_exception(error)  # raises the DB-API translation
            except Exception as translated:
                _handle_translated(sync, translated, sql, args)
        sync._handle_dbapi_exception(error, sql, tuple(args), None, None)
    raise AssertionError("unreachable: SQLAlchemy's handler always raises")


def _handle_translated(
    sync: Connection, translated: Exception, sql: str, args: Sequence[Any]
) -> NoReturn:
    """SQLAlchemy's handler wraps an error the adapter left untranslated in a
    ``StatementError`` when it has no execution context (which this path does not
    build); SQLAlchemy's own path, which has one, raises such an error as it is."""
    try:
        sync._handle_dbapi_exception(translated, sql, tuple(args), None, None)
    except StatementError as wrapped:
        if type(wrapped) is StatementError and wrapped.orig is translated:
            raise translated from None
        raise
    raise AssertionError("unreachable: SQLAlchemy's handler always raises")
