"""What every use case needs: settings, a unit of work, the object storage, a clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from burency_common.timeutil import Clock
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
class FilesContext:
    settings: FilesSettings
    sessions: async_sessionmaker[AsyncSession]
    storage: ObjectStorage
    clock: Clock
    signer: UrlSigner | None = None
    """Set with local storage: verifies the URLs ``/v1/objects/{key}`` serves."""

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on any exception."""
        async with self.sessions() as db, db.begin():
            yield db

    def now(self) -> datetime:
        return self.clock.now()
