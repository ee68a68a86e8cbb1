"""What every use case needs: settings, a unit of work, clock, events, channels.

Use cases are keyword-only async functions taking a :class:`NotificationsContext`;
each opens one transaction (``async with ctx.transaction() as db``) and runs the
``after_commit`` hooks (waking the delivery worker) once it committed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from burency_common.events import EventRegistry
from burency_common.timeutil import Clock
from burency_common.unit_of_work import session_transaction
from burency_notifications.adapters.channels import Channel, RecordingChannel
from burency_notifications.settings import NotificationsSettings

__all__ = ["NotificationsContext"]


@dataclass
class NotificationsContext:
    settings: NotificationsSettings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    registry: EventRegistry
    channels: dict[str, Channel]
    recorder: RecordingChannel | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on any exception."""
        async with session_transaction(self.sessions, self.after_commit) as db:
            yield db
