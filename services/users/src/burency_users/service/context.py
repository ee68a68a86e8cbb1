"""What every use case needs: settings, a unit of work, the files client, clock, events.

Use cases are keyword-only async functions taking a :class:`UsersContext`. They open
one transaction (``async with ctx.transaction() as db``), write state, the events
announcing it (outbox) and the audit entry in it, and wake the relay after the commit.
Calls to the files service happen *before* the transaction: no database transaction
is held open across a network call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from burency_common.events import SEND_NOTIFICATION, EventRegistry, SendNotification
from burency_common.events.notification_types import check_notification
from burency_common.ids import new_id
from burency_common.outbox import add_to_outbox
from burency_common.timeutil import Clock
from burency_common.unit_of_work import session_transaction
from burency_users.adapters import audit_repo
from burency_users.adapters.files_client import FilesClient
from burency_users.adapters.orm import outbox
from burency_users.settings import UsersSettings

__all__ = ["RequestMeta", "UsersContext"]


@dataclass(frozen=True)
class RequestMeta:
    """What the audit log records about the request beyond the actor."""

    request_id: str | None = None


@dataclass
class UsersContext:
    settings: UsersSettings
    sessions: async_sessionmaker[AsyncSession]
    files: FilesClient
    clock: Clock
    registry: EventRegistry
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on any exception."""
        async with session_transaction(self.sessions, self.after_commit) as db:
            yield db

    async def emit(self, db: AsyncSession, payload: BaseModel, *, event_type: str) -> None:
        envelope = self.registry.build(payload, event_type=event_type, producer="users")
        await add_to_outbox(db, outbox, envelope)

    async def notify(
        self, db: AsyncSession, *, user_id: str, event: str, data: dict[str, object]
    ) -> None:
        """Queue a ``SEND_NOTIFICATION`` command for one user (``data`` must hold what
        the type's templates need: a mistake fails here, in this service's tests)."""
        check_notification(event, data)
        command = SendNotification(
            notification_id=new_id(), event=event, user_ids=[user_id], data=data
        )
        await self.emit(db, command, event_type=SEND_NOTIFICATION)

    async def audit(
        self,
        db: AsyncSession,
        *,
        actor_id: str,
        action: str,
        target: str | None,
        meta: RequestMeta,
        details: dict[str, Any] | None = None,
    ) -> None:
        await audit_repo.record_audit(
            db,
            actor_id=actor_id,
            action=action,
            target=target,
            details=details or {},
            request_id=meta.request_id,
            at=self.clock.now(),
        )
