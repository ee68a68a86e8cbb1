"""The trading service's FastAPI app (composition of the routers; built on demand)."""

from __future__ import annotations

import math

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.errors import ServiceUnavailable
from burency_common.web.app import ReadinessCheck, create_service_app, database_check
from burency_common.web.openapi import publish_problem_schema
from burency_common.web.problems import problem_response
from burency_trading import __version__
from burency_trading.entrypoints.http.account import account_router, public_router
from burency_trading.entrypoints.http.admin import admin_router
from burency_trading.entrypoints.http.internal import internal_router
from burency_trading.entrypoints.http.orders import orders_router
from burency_trading.entrypoints.http.reconciliation import reconciliation_router
from burency_trading.entrypoints.http.wallet_transfers import wallet_transfers_router
from burency_trading.service.context import TradingContext
from burency_trading.service.ports import EngineBusy

__all__ = ["create_app", "routers"]


def routers() -> list[APIRouter]:
    """Every router of the service (tests walk them)."""
    return [
        public_router(),
        orders_router(),
        account_router(),
        wallet_transfers_router(),
        admin_router(),
        reconciliation_router(),
        internal_router(),
    ]


def engine_busy_error(exc: EngineBusy) -> ServiceUnavailable:
    """503 ``ENGINE_BUSY`` with ``Retry-After`` (whole seconds, at least 1)."""
    seconds = max(1, math.ceil(exc.retry_after))
    return ServiceUnavailable(
        "the matching engine is busy; retry later",
        code="ENGINE_BUSY",
        headers={"Retry-After": str(seconds)},
    )


async def _engine_busy(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EngineBusy)
    error = engine_busy_error(exc)
    body = error.to_problem(instance=request.url.path)
    return problem_response(body, status=error.status, headers=error.headers)


def create_app(
    ctx: TradingContext,
    *,
    engine: AsyncEngine,
    identity_secret: bytes,
    readiness: list[ReadinessCheck] | None = None,
) -> FastAPI:
    """Build the app; ``app.state.trading`` holds the context the routes use.
    ``readiness`` adds checks (the engine runner's) to the database's."""
    app = create_service_app(
        name="trading",
        version=__version__,
        description="Spot trading: markets, orders, balances, trades and fee tiers.",
        routers=routers(),
        readiness=[database_check(engine), *(readiness or [])],
    )
    app.add_exception_handler(EngineBusy, _engine_busy)
    app.state.trading = ctx
    app.state.identity_secret = identity_secret
    publish_problem_schema(app)
    return app
