"""The user service's FastAPI app (composition of the routers; built on demand)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.web.app import create_service_app, database_check
from burency_users import __version__
from burency_users.entrypoints.http.admin import admin_router
from burency_users.entrypoints.http.profile import own_router
from burency_users.entrypoints.http.schemas import Problem
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
