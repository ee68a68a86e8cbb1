"""``Flows``: what the money flows need besides the ledger's ``BankingContext``.

Built by :func:`build_flows` inside ``build_component`` (nothing at import time): the
parsed configuration, the chain adapter (the simulated chain, over the banking
database), and the second-factor verifier (auth over HTTP; an in-process ASGI client
in embedded mode). It also lists the flows' event handlers and background loops,
which the component subscribes and starts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from burency_banking.chain import ChainAdapter, SimulatedChain
from burency_banking.flows.config import FlowsConfig, flows_config
from burency_banking.flows.second_factor import HttpSecondFactorVerifier, SecondFactorVerifier
from burency_banking.service.context import BankingContext
from burency_banking.settings import BankingSettings
from burency_common.config import RunMode
from burency_common.errors import ConfigurationError
from burency_common.events import EventEnvelope
from burency_common.events.kyc import KYC_STATUS_CHANGED
from burency_common.logging import get_logger

__all__ = ["DEV_SEED", "Flows", "address_seed", "build_flows"]

DEV_SEED = b"burency-simulated-chain-development-seed"
_log = get_logger("burency.banking.flows")
Handler = Callable[[EventEnvelope], Awaitable[None]]
LoopRun = Callable[[asyncio.Event], Awaitable[None]]


@dataclass
class Flows:
    ctx: BankingContext
    config: FlowsConfig
    chain: ChainAdapter
    sim: SimulatedChain | None  # the same object as ``chain`` when it is simulated
    verifier: SecondFactorVerifier

    def handlers(self) -> dict[str, Handler]:
        from burency_banking.flows import limits  # noqa: PLC0415 - avoids an import cycle

        async def kyc_status_changed(envelope: EventEnvelope) -> None:
            await limits.on_kyc_status_changed(self, envelope)

        return {KYC_STATUS_CHANGED: kyc_status_changed}

    def loops(self) -> dict[str, LoopRun]:
        return {"chain-worker": self._run_chain_worker}

    async def run_chain_once(self) -> None:
        """One pass of the chain worker: watch deposits, then process withdrawals."""
        from burency_banking.flows import crypto_deposits, processor  # noqa: PLC0415

        await crypto_deposits.scan_all(self)
        await processor.process_all(self)

    async def _run_chain_worker(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_chain_once()
            except Exception:  # keep watching: the next pass retries what failed
                _log.exception("banking.chain_worker_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.ctx.settings.chain_poll_seconds)

    async def aclose(self) -> None:
        await self.verifier.aclose()


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


def address_seed(settings: BankingSettings) -> bytes:
    """The deposit-address seed: the configured one; in embedded mode only, the public
    development seed, with a loud warning. Distributed mode never falls back (the
    settings already refuse that; this guards settings built without validation)."""
    seed = settings.chain_address_seed
    if seed is not None and seed.get_secret_value():
        return seed.get_secret_value().encode()
    if settings.mode is RunMode.DISTRIBUTED:
        raise ConfigurationError("distributed mode requires BURENCY_CHAIN_ADDRESS_SEED")
    _log.warning(
        "banking.DEV_CHAIN_SEED",
        message="BURENCY_CHAIN_ADDRESS_SEED is not set: deposit addresses come from the "
        "built-in development seed, which is public. UNSAFE FOR PRODUCTION.",
    )
    return DEV_SEED


def build_flows(
    ctx: BankingContext,
    *,
    identity_secret: bytes,
    auth_client: httpx.AsyncClient | None = None,
    verifier: SecondFactorVerifier | None = None,
) -> Flows:
    """``auth_client`` reaches the auth service (ASGI in embedded mode; caller-owned);
    ``verifier`` replaces the HTTP verifier entirely (tests of other services' flows)."""
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
    )
    from burency_banking.flows.reconcile import custody_check  # noqa: PLC0415 - import cycle

    ctx.reconciliation_checks.append(custody_check(flows))
    return flows
