"""What every use case needs: settings, a unit of work, the object storage, a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from burency_common.timeutil import Clock
from burency_common.unit_of_work import SessionUnitOfWork
from burency_files.adapters.storage.local import UrlSigner
from burency_files.adapters.storage.port import ObjectStorage
from burency_files.settings import FilesSettings

__all__ = ["Actor", "FilesContext", "RequestMeta"]


@dataclass(frozen=True)
class RequestMeta:
    """Where a request came from, for the access log."""

    ip: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who acts on a file: a signed-in user, or the user a service acts for."""

    user_id: str
    roles: frozenset[str]
    staff_capable: bool = True
    """False for API-key callers: keys never carry staff permissions."""


@dataclass
class FilesContext(SessionUnitOfWork):
    settings: FilesSettings
    sessions: async_sessionmaker[AsyncSession]
    storage: ObjectStorage
    clock: Clock
    signer: UrlSigner | None = None
    """Set with local storage: verifies the URLs ``/v1/objects/{key}`` serves."""
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock.now()
