"""The unit of work every service uses: one transaction, then its post-commit hooks.

A service's handlers run ``async with ctx.transaction() as db: ...``; on success the
transaction commits and the service's ``after_commit`` hooks run (they wake its outbox
relay and its workers, so work queued by the commit starts at once). Hooks run only when
the transaction changed rows (:func:`burency_common.db.pop_writes`): a read-only request
or an idle worker's empty poll wakes nobody, so idle loops stay idle instead of waking
each other. A hook that only cares about some tables (:class:`OnWrites`) runs only after
a commit that wrote one of them.

Two shapes, one rule: :func:`session_transaction` for services on ORM sessions,
:func:`connection_transaction` for services on Core connections (banking).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from burency_common.db import ANY_TABLE, pop_written

__all__ = ["OnWrites", "SessionUnitOfWork", "connection_transaction", "session_transaction"]

Hooks = Sequence[Callable[[], None]]


@dataclass(frozen=True)
class OnWrites:
    """A post-commit hook for a worker that only has work when some tables changed (a
    worker woken by every commit of its service, its own included, polls for nothing)."""

    tables: frozenset[str]
    hook: Callable[[], None]

    def __call__(self) -> None:
        self.hook()

    def wants(self, written: frozenset[str]) -> bool:
        return ANY_TABLE in written or not self.tables.isdisjoint(written)


def _run(hooks: Hooks, written: frozenset[str]) -> None:
    for hook in list(hooks):  # a hook may detach itself (a stopped worker)
        if not isinstance(hook, OnWrites) or hook.wants(written):
            hook()


@asynccontextmanager
async def session_transaction(
    sessions: async_sessionmaker[AsyncSession], after_commit: Hooks
) -> AsyncIterator[AsyncSession]:
    """Commit on success, roll back on any exception; hooks after a commit that wrote."""
    async with sessions() as db, db.begin():
        connection = await db.connection()
        pop_written(connection)  # forget a rolled-back transaction's writes on this connection
        yield db
        wrote = pop_written(connection)
    if wrote:
        _run(after_commit, wrote)


@asynccontextmanager
async def connection_transaction(
    engine: AsyncEngine, after_commit: Hooks
) -> AsyncIterator[AsyncConnection]:
    """The same on a Core connection."""
    async with engine.begin() as db:
        pop_written(db)  # forget a rolled-back transaction's writes on this connection
        yield db
        wrote = pop_written(db)
    if wrote:
        _run(after_commit, wrote)


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
