"""The files service's FastAPI app (composition of the routers; built on demand)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.web.app import create_service_app, database_check
from burency_files import __version__
from burency_files.entrypoints.http.admin import admin_router
from burency_files.entrypoints.http.files import files_router
from burency_files.entrypoints.http.internal import internal_router
from burency_files.entrypoints.http.objects import objects_router
from burency_files.entrypoints.http.schemas import Problem
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
    _publish_problem_schema(app)
    return app


def _publish_problem_schema(app: FastAPI) -> None:
    """Add the ``Problem`` schema the error responses refer to, to the OpenAPI document."""
    build = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = build()
            components = schema.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            schemas["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
