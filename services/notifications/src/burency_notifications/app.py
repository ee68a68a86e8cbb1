"""The notification service's FastAPI app (composition of the routers; built on demand)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.web.app import create_service_app, database_check
from burency_notifications import __version__
from burency_notifications.entrypoints.http.announcements import announcements_router
from burency_notifications.entrypoints.http.devices import devices_router
from burency_notifications.entrypoints.http.mailbox import mailbox_router
from burency_notifications.entrypoints.http.routes import dev_router, own_router
from burency_notifications.service.context import NotificationsContext

__all__ = ["create_app"]


def create_app(
    ctx: NotificationsContext, *, engine: AsyncEngine, identity_secret: bytes
) -> FastAPI:
    """Build the app; ``app.state.notifications`` holds the context the routes use."""
    routers = [own_router(), dev_router(), devices_router(), announcements_router()]
    if ctx.settings.embedded:  # the mailbox does not exist in distributed mode
        routers.append(mailbox_router())
    app = create_service_app(
        name="notifications",
        version=__version__,
        description="Notification preferences, the in-app feed and the dev outbox.",
        routers=routers,
        readiness=[database_check(engine)],
    )
    app.state.notifications = ctx
    app.state.identity_secret = identity_secret
    return app
