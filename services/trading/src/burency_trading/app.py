"""The trading service's FastAPI app (composition of the routers; built on demand)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.web.app import ReadinessCheck, create_service_app, database_check
from burency_common.web.openapi import publish_problem_schema
from burency_trading import __version__
from burency_trading.entrypoints.http.account import account_router, public_router
from burency_trading.entrypoints.http.admin import admin_router
from burency_trading.entrypoints.http.admin_marketdata import marketdata_admin_router
from burency_trading.entrypoints.http.internal import internal_router
from burency_trading.entrypoints.http.marketdata import marketdata_router
from burency_trading.entrypoints.http.orders import orders_router
from burency_trading.entrypoints.http.reconciliation import reconciliation_router
from burency_trading.entrypoints.http.wallet_transfers import wallet_transfers_router
from burency_trading.service.context import TradingContext
from burency_trading.service.marketdata.sink import MarketDataSink

__all__ = ["create_app", "routers"]


def routers() -> list[APIRouter]:
    """Every router of the service (tests walk them)."""
    return [
        public_router(),
        marketdata_router(),
        orders_router(),
        account_router(),
        wallet_transfers_router(),
        admin_router(),
        marketdata_admin_router(),
        reconciliation_router(),
        internal_router(),
    ]


def create_app(
    ctx: TradingContext,
    *,
    engine: AsyncEngine,
    identity_secret: bytes,
    readiness: list[ReadinessCheck] | None = None,
    marketdata: MarketDataSink | None = None,
) -> FastAPI:
    """Build the app; ``app.state.trading`` holds the context the routes use.
    ``readiness`` adds checks (the engine runner's) to the database's; ``marketdata``
    is the sink the public market-data routes read (503 without one)."""
    app = create_service_app(
        name="trading",
        version=__version__,
        description="Spot trading: markets, orders, balances, trades and fee tiers.",
        routers=routers(),
        readiness=[database_check(engine), *(readiness or [])],
    )
    app.state.trading = ctx
    app.state.identity_secret = identity_secret
    app.state.marketdata = marketdata
    publish_problem_schema(app)
    return app
