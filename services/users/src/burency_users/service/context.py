"""What every use case needs: settings, a unit of work, the files client, clock, events.

Use cases are keyword-only async functions taking a :class:`UsersContext`. They open
one transaction (``async with ctx.transaction() as db``), write state, the events
announcing it (``ctx.outbox``) and the audit entry in it, and wake the relay after the commit.
Calls to the files service happen *before* the transaction: no database transaction
is held open across a network call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from burency_common.events import EventRegistry
from burency_common.outbox import Outbox
from burency_common.timeutil import Clock
from burency_common.unit_of_work import SessionUnitOfWork
from burency_users.adapters import audit_repo
from burency_users.adapters.files_client import FilesClient
from burency_users.adapters.orm import outbox as outbox_table
from burency_users.settings import UsersSettings

__all__ = ["RequestMeta", "UsersContext"]


@dataclass(frozen=True)
class RequestMeta:
    """What the audit log records about the request beyond the actor."""

    request_id: str | None = None


@dataclass
class UsersContext(SessionUnitOfWork):
    settings: UsersSettings
    sessions: async_sessionmaker[AsyncSession]
    files: FilesClient
    clock: Clock
    registry: EventRegistry
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    outbox: Outbox = field(init=False)
    """``emit`` events and ``notify`` users in a transaction (``ctx.outbox.notify(db, ...)``)."""

    def __post_init__(self) -> None:
        self.outbox = Outbox(producer="users", registry=self.registry, table=outbox_table)

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
