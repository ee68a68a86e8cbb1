"""The unit of work every service uses: one transaction, then its post-commit hooks.

A service's handlers run ``async with ctx.transaction() as db: ...``; on success the
transaction commits and the service's ``after_commit`` hooks run (they wake its outbox
relay and its workers, so work queued by the commit starts at once). Hooks run only when
the transaction changed rows (:func:`burency_common.db.pop_writes`): a read-only request
or an idle worker's empty poll wakes nobody, so idle loops stay idle instead of waking
each other.

Two shapes, one rule: :func:`session_transaction` for services on ORM sessions,
:func:`connection_transaction` for services on Core connections (banking).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from burency_common.db import pop_writes

__all__ = ["SessionUnitOfWork", "connection_transaction", "session_transaction"]

Hooks = Sequence[Callable[[], None]]


def _run(hooks: Hooks) -> None:
    for hook in list(hooks):  # a hook may detach itself (a stopped worker)
        hook()


@asynccontextmanager
async def session_transaction(
    sessions: async_sessionmaker[AsyncSession], after_commit: Hooks
) -> AsyncIterator[AsyncSession]:
    """Commit on success, roll back on any exception; hooks after a commit that wrote."""
    async with sessions() as db, db.begin():
        connection = await db.connection()
        pop_writes(connection)  # forget a rolled-back transaction's writes on this connection
        yield db
        wrote = pop_writes(connection)
    if wrote:
        _run(after_commit)


@asynccontextmanager
async def connection_transaction(
    engine: AsyncEngine, after_commit: Hooks
) -> AsyncIterator[AsyncConnection]:
    """The same on a Core connection."""
    async with engine.begin() as db:
        pop_writes(db)  # forget a rolled-back transaction's writes on this connection
        yield db
        wrote = pop_writes(db)
    if wrote:
        _run(after_commit)


class SessionUnitOfWork:
    """Mixin of a service context on ORM sessions: ``async with ctx.transaction() as db``.

    The context (a dataclass) declares the two fields this reads: ``sessions`` and
    ``after_commit`` (its post-commit hooks, ``field(default_factory=list)``).
    """

    sessions: async_sessionmaker[AsyncSession]
    after_commit: list[Callable[[], None]]

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """One unit of work: commits on success, rolls back on any exception; the hooks
        run after a commit that wrote."""
        return session_transaction(self.sessions, self.after_commit)
