"""The banking service's FastAPI app (composition of the routers; built on demand).

To add endpoints, add a router factory to :func:`routers` (one line each).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_banking import __version__
from burency_banking.entrypoints.http.accounts import accounts_router
from burency_banking.entrypoints.http.admin import admin_router
from burency_banking.entrypoints.http.admin_accounts import admin_accounts_router
from burency_banking.entrypoints.http.admin_flows import admin_flows_router
from burency_banking.entrypoints.http.deposits import deposits_router
from burency_banking.entrypoints.http.dev_chain import dev_chain_router
from burency_banking.entrypoints.http.transfers import transfers_router
from burency_banking.entrypoints.http.withdrawals import withdrawals_router
from burency_banking.service.context import BankingContext
from burency_common.web.app import create_service_app, database_check
from burency_common.web.openapi import publish_problem_schema

__all__ = ["create_app", "routers"]


def routers() -> list[APIRouter]:
    """Every router of the service, in the order they are mounted."""
    return [
        accounts_router(),
        transfers_router(),
        admin_router(),
        admin_accounts_router(),
        deposits_router(),
        withdrawals_router(),
        admin_flows_router(),
        dev_chain_router(),
    ]


def create_app(ctx: BankingContext, *, engine: AsyncEngine, identity_secret: bytes) -> FastAPI:
    """Build the app; ``app.state.banking`` holds the context the routes use."""
    app = create_service_app(
        name="banking",
        version=__version__,
        description="Funding wallets: double-entry ledger, accounts, transfers, reconciliation.",
        routers=routers(),
        readiness=[database_check(engine)],
    )
    app.state.banking = ctx
    app.state.identity_secret = identity_secret
    publish_problem_schema(app)
    return app
