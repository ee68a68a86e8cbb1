"""``Flows``: what the money flows need besides the ledger's ``BankingContext``.

Built by :func:`burency_banking.flows.wiring.build_flows` inside ``build_component``
(nothing at import time): the parsed configuration, the chain adapter (the simulated
chain, over the banking database), and the second-factor verifier (auth over HTTP; an
in-process ASGI client in embedded mode). It also lists the flows' event handlers and
background loops, which the component subscribes and starts; what they run is given
by the wiring (the flow modules import this one, so this one imports none of them).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import httpx

from burency_banking.chain import ChainAdapter, SimulatedChain
from burency_banking.flows.config import FlowsConfig
from burency_banking.flows.second_factor import SecondFactorVerifier
from burency_banking.service.context import BankingContext
from burency_banking.settings import BankingSettings
from burency_common.config import RunMode
from burency_common.errors import ConfigurationError
from burency_common.events import EventEnvelope
from burency_common.logging import get_logger

__all__ = ["DEV_SEED", "Flows", "FlowsHandler", "address_seed"]

DEV_SEED = b"burency-simulated-chain-development-seed"
_log = get_logger("burency.banking.flows")
Handler = Callable[[EventEnvelope], Awaitable[None]]
LoopRun = Callable[[asyncio.Event], Awaitable[None]]
FlowsHandler = Callable[["Flows", EventEnvelope], Awaitable[None]]


async def _no_chain_pass(flows: Flows) -> None:
    """The chain pass of flows built without the wiring (nothing to watch)."""


@dataclass
class Flows:
    ctx: BankingContext
    config: FlowsConfig
    chain: ChainAdapter
    sim: SimulatedChain | None  # the same object as ``chain`` when it is simulated
    verifier: SecondFactorVerifier
    event_handlers: Mapping[str, FlowsHandler] = field(default_factory=dict)
    chain_pass: Callable[[Flows], Awaitable[None]] = _no_chain_pass
    owned_http: list[httpx.AsyncClient] = field(default_factory=list)  # closed by aclose

    def handlers(self) -> dict[str, Handler]:
        return {topic: functools.partial(run, self) for topic, run in self.event_handlers.items()}

    def loops(self) -> dict[str, LoopRun]:
        return {"chain-worker": self._run_chain_worker}

    async def run_chain_once(self) -> None:
        """One pass of the chain worker: watch deposits, then process withdrawals."""
        await self.chain_pass(self)

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
        for http in self.owned_http:
            await http.aclose()


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
