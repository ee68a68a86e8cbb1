"""The auth service's FastAPI app (composition of the routers; built on demand)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_auth import __version__
from burency_auth.entrypoints.http.account import account_router
from burency_auth.entrypoints.http.admin import admin_router
from burency_auth.entrypoints.http.apikeys import api_keys_router, internal_api_keys_router
from burency_auth.entrypoints.http.public import public_router
from burency_auth.entrypoints.http.second_factor import second_factor_router
from burency_auth.service.context import AuthContext
from burency_common.web.app import create_service_app, database_check
from burency_common.web.openapi import publish_problem_schema

__all__ = ["create_app"]


def create_app(ctx: AuthContext, *, engine: AsyncEngine, identity_secret: bytes) -> FastAPI:
    """Build the app; ``app.state.auth`` holds the context the routes use."""
    app = create_service_app(
        name="auth",
        version=__version__,
        description="Credentials, sessions, tokens, roles and two-factor authentication.",
        routers=[
            public_router(),
            account_router(),
            admin_router(),
            api_keys_router(),
            internal_api_keys_router(),
            second_factor_router(),
        ],
        readiness=[database_check(engine)],
    )
    app.state.auth = ctx
    app.state.identity_secret = identity_secret
    publish_problem_schema(app)
    return app
