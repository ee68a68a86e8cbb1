"""``build_component``: the user service as the platform runs it (embedded or alone).

Building creates no connection and starts nothing; :meth:`UsersComponent.start`
migrates the database and starts the outbox relay, :meth:`UsersComponent.stop` undoes
that. :meth:`UsersComponent.subscribe` registers the ``user.registered`` consumer that
creates profiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import httpx
from sqlalchemy import Table

from burency_common.bus.port import EventBus
from burency_common.component import ComponentBase
from burency_common.db import create_engine, create_session_factory
from burency_common.events import USER_REGISTERED, EventEnvelope, default_registry
from burency_common.logging import get_logger
from burency_common.timeutil import Clock, SystemClock
from burency_users.adapters.files_client import FilesClient
from burency_users.adapters.orm import outbox
from burency_users.app import create_app
from burency_users.service import profiles
from burency_users.service.context import UsersContext
from burency_users.settings import UsersSettings

__all__ = ["CONSUMER_GROUP", "MIGRATIONS", "UsersComponent", "build_component"]

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
CONSUMER_GROUP = "users"
_log = get_logger("burency.users")


@dataclass
class UsersComponent(ComponentBase[UsersSettings, UsersContext]):
    """The user service, built but not started (``burency_common.component.ServiceComponent``)."""

    name: str = "users"
    migrations: ClassVar[Path | None] = MIGRATIONS
    outbox_table: ClassVar[Table | None] = outbox

    async def on_user_registered(self, envelope: EventEnvelope) -> None:
        """Handler of ``user.registered``: create the profile (idempotent via the inbox)."""
        await profiles.on_user_registered(self.context, envelope)

    def subscribe(self, bus: EventBus, *, group: str = CONSUMER_GROUP) -> None:
        """Consume ``user.registered`` (``group`` differs only in tests sharing a broker)."""
        bus.subscribe(USER_REGISTERED, group=group, handler=self.on_user_registered)

    async def stop(self) -> None:
        await super().stop()
        await self.context.files.aclose()


def _files_client(
    settings: UsersSettings, files_client: httpx.AsyncClient | None, identity_secret: bytes
) -> FilesClient:
    """The platform's in-process client (embedded), else one for ``BURENCY_FILES_URL``."""
    if files_client is not None:
        return FilesClient(files_client, identity_secret=identity_secret)
    if settings.files_url:
        return FilesClient.from_url(
            settings.files_url,
            identity_secret=identity_secret,
            timeout=settings.files_timeout_seconds,
        )
    _log.warning(
        "users.NO_FILES_SERVICE",
        message="no files client and no BURENCY_FILES_URL: avatar and KYC document "
        "checks answer 503 FILES_UNAVAILABLE",
    )
    return FilesClient(None, identity_secret=identity_secret)


def build_component(
    settings: UsersSettings,
    *,
    identity_secret: bytes | None = None,
    files_client: httpx.AsyncClient | None = None,
    clock: Clock | None = None,
) -> UsersComponent:
    """Build the user service (nothing connects until ``start``).

    ``files_client`` is an ``httpx.AsyncClient`` whose ``base_url`` reaches the files
    service (an ASGI transport in embedded mode); it stays owned by the caller.
    """
    identity_secret = identity_secret or settings.identity_secret_bytes()
    engine = create_engine(settings.database_url)
    context = UsersContext(
        settings=settings,
        sessions=create_session_factory(engine),
        files=_files_client(settings, files_client, identity_secret),
        clock=clock or SystemClock(),
        registry=default_registry(),
    )
    app = create_app(context, engine=engine, identity_secret=identity_secret)
    return UsersComponent(settings=settings, app=app, context=context, engine=engine)
