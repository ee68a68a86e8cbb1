"""Builds the :class:`~burency_banking.flows.context.Flows` and wires the flow modules
into it: the event handlers, the chain worker's pass (deposits watched, then
withdrawals processed) and the custody reconciliation check. The flow modules import
``flows.context``; only this module imports them all, so no import hides in a function.
"""

from __future__ import annotations

import httpx

from burency_banking.chain import SimulatedChain
from burency_banking.flows import crypto_deposits, limits, processor
from burency_banking.flows.config import flows_config
from burency_banking.flows.context import Flows, address_seed
from burency_banking.flows.reconcile import custody_check
from burency_banking.flows.second_factor import HttpSecondFactorVerifier, SecondFactorVerifier
from burency_banking.flows.trading_check import trading_check
from burency_banking.service.context import BankingContext
from burency_common.events.kyc import KYC_STATUS_CHANGED
from burency_common.logging import get_logger

__all__ = ["build_flows"]

_log = get_logger("burency.banking.flows")


async def chain_pass(flows: Flows) -> None:
    """One pass of the chain worker: watch deposits, then process withdrawals."""
    await crypto_deposits.scan_all(flows)
    await processor.process_all(flows)


def _verifier(
    ctx: BankingContext, auth_client: httpx.AsyncClient | None, identity_secret: bytes
) -> HttpSecondFactorVerifier:
    settings = ctx.settings
    if auth_client is not None:
        return HttpSecondFactorVerifier(auth_client, identity_secret=identity_secret)
    if settings.auth_url:
        return HttpSecondFactorVerifier.from_url(
            settings.auth_url,
            identity_secret=identity_secret,
            timeout=settings.auth_timeout_seconds,
        )
    _log.warning(
        "banking.NO_AUTH_SERVICE",
        message="no auth client and no BURENCY_AUTH_URL: withdrawals answer 503 AUTH_UNAVAILABLE",
    )
    return HttpSecondFactorVerifier(None, identity_secret=identity_secret)


def build_flows(
    ctx: BankingContext,
    *,
    identity_secret: bytes,
    auth_client: httpx.AsyncClient | None = None,
    verifier: SecondFactorVerifier | None = None,
    trading_client: httpx.AsyncClient | None = None,
) -> Flows:
    """``auth_client`` reaches the auth service (ASGI in embedded mode; caller-owned);
    ``verifier`` replaces the HTTP verifier entirely (tests of other services' flows);
    ``trading_client`` (or ``BURENCY_TRADING_URL``) reaches the trading core for the
    cross-service reconciliation check."""
    settings = ctx.settings
    config = flows_config(settings, ctx.assets)
    sim = SimulatedChain(
        ctx.engine,
        networks={rule.network: rule.asset for rule in config.networks.values()},
        seed=address_seed(settings),
        clock=ctx.clock,
    )
    flows = Flows(
        ctx=ctx,
        config=config,
        chain=sim,
        sim=sim,
        verifier=verifier or _verifier(ctx, auth_client, identity_secret),
        event_handlers={KYC_STATUS_CHANGED: limits.on_kyc_status_changed},
        chain_pass=chain_pass,
    )
    ctx.reconciliation_checks.append(custody_check(flows))
    _add_trading_check(flows, trading_client, identity_secret)
    return flows


def _add_trading_check(
    flows: Flows, trading_client: httpx.AsyncClient | None, identity_secret: bytes
) -> None:
    """Reconcile against the trading core when it can be reached (else the report says
    nothing about trading wallets, and the log says why)."""
    ctx = flows.ctx
    if trading_client is None and ctx.settings.trading_url:
        trading_client = httpx.AsyncClient(
            base_url=ctx.settings.trading_url, timeout=ctx.settings.auth_timeout_seconds
        )
        flows.owned_http.append(trading_client)
    if trading_client is None:
        _log.warning(
            "banking.NO_TRADING_SERVICE",
            message="no BURENCY_TRADING_URL: reconciliation leaves out trading wallets",
        )
        return
    check = trading_check(trading_client, identity_secret=identity_secret, assets=ctx.assets)
    ctx.reconciliation_checks.append(check)
