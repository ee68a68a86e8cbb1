"""The user service's FastAPI app (composition of the routers; built on demand)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.web.app import create_service_app, database_check
from burency_common.web.openapi import publish_problem_schema
from burency_users import __version__
from burency_users.entrypoints.http.admin import admin_router
from burency_users.entrypoints.http.profile import own_router
from burency_users.service.context import UsersContext

__all__ = ["create_app"]


def create_app(ctx: UsersContext, *, engine: AsyncEngine, identity_secret: bytes) -> FastAPI:
    """Build the app; ``app.state.users`` holds the context the routes use."""
    app = create_service_app(
        name="users",
        version=__version__,
        description="Profiles, UI settings, KYC submissions and levels, staff review.",
        routers=[own_router(), admin_router()],
        readiness=[database_check(engine)],
    )
    app.state.users = ctx
    app.state.identity_secret = identity_secret
    publish_problem_schema(app)
    return app
