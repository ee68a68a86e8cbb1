"""The files service's FastAPI app (composition of the routers; built on demand)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.web.app import create_service_app, database_check
from burency_common.web.openapi import publish_problem_schema
from burency_files import __version__
from burency_files.entrypoints.http.admin import admin_router
from burency_files.entrypoints.http.files import files_router
from burency_files.entrypoints.http.internal import internal_router
from burency_files.entrypoints.http.objects import objects_router
from burency_files.service.context import FilesContext

__all__ = ["create_app"]


def create_app(ctx: FilesContext, *, engine: AsyncEngine, identity_secret: bytes) -> FastAPI:
    """Build the app; ``app.state.files`` holds the context the routes use."""
    app = create_service_app(
        name="files",
        version=__version__,
        description="File uploads (avatars, KYC documents, attachments) and their metadata.",
        routers=[files_router(), objects_router(), admin_router(), internal_router()],
        readiness=[database_check(engine)],
    )
    app.state.files = ctx
    app.state.identity_secret = identity_secret
    publish_problem_schema(app)
    return app
