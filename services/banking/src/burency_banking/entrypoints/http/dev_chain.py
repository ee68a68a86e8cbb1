"""Operator/dev endpoints of the simulated chain: ``/v1/dev/chain/{network}/...``.

Available only while the chain adapter is the simulation (always in embedded mode; in
distributed mode only with ``BURENCY_DEV_CHAIN_ENDPOINTS=true``); otherwise every route
answers 404, as if it did not exist. Where available, only staff holding
``deposits.approve`` (compliance, admin) may use them, signed in (API keys never hold
staff permissions): paying one's own deposit address on the simulated chain mints
money, which is exactly the power of approving a deposit. Before, any signed-in user
could in embedded mode (security finding, docs/security/banking.md).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import Field

from burency_banking.chain import SimulatedChain
from burency_banking.entrypoints.http.deposit_withdrawal_models import AmountStr, FlowsDep
from burency_banking.flows.context import Flows
from burency_banking.flows.errors import invalid
from burency_common.api import ApiModel
from burency_common.errors import NotFound
from burency_common.money import parse_money
from burency_common.permissions import require_permission
from burency_common.validators import InvalidValue, validate_crypto_address
from burency_common.web.openapi import problem_responses

__all__ = ["dev_chain_router"]

Network = Annotated[str, Path(min_length=2, max_length=16)]


class SendIn(ApiModel):
    address: str = Field(min_length=1, max_length=128)
    amount: AmountStr


class MineIn(ApiModel):
    blocks: int = Field(default=1, ge=1, le=1000)


class ReorgIn(ApiModel):
    txid: str = Field(min_length=1, max_length=128)


class ChainOut(ApiModel):
    network: str
    asset: str
    height: int


class SentOut(ApiModel):
    network: str
    txid: str


class ReorgOut(ApiModel):
    network: str
    txid: str
    height: int
    orphaned_blocks: int


CHAIN_PERMISSION = "deposits.approve"


async def available(flows: FlowsDep) -> None:
    """404 unless the simulated chain is there and exposed (checked before who asks)."""
    settings = flows.ctx.settings
    if flows.sim is None or not (settings.embedded or settings.dev_chain_endpoints):
        raise NotFound("not found", code="NOT_FOUND")


def _sim(flows: Flows) -> SimulatedChain:
    assert flows.sim is not None  # the router's ``available`` dependency made sure
    return flows.sim


def _asset(flows: Flows, network: str) -> str:
    asset = flows.chain.networks().get(network.upper())
    if asset is None:
        raise invalid("UNSUPPORTED_NETWORK", "unknown network", "network")
    return asset


async def tip(network: Network, flows: FlowsDep) -> ChainOut:
    sim = _sim(flows)
    asset = _asset(flows, network)
    return ChainOut(network=network.upper(), asset=asset, height=await sim.height(network))


async def send(network: Network, body: SendIn, flows: FlowsDep) -> SentOut:
    sim = _sim(flows)
    asset = _asset(flows, network)
    try:
        address = validate_crypto_address(network, body.address)
    except InvalidValue:
        raise invalid(
            "INVALID_ADDRESS", f"not a valid {network.upper()} address", "address"
        ) from None
    amount = parse_money(flows.ctx.assets, asset, body.amount)
    txid = await sim.send(network, [(address, amount)])
    return SentOut(network=network.upper(), txid=txid)


async def mine(network: Network, body: MineIn, flows: FlowsDep) -> ChainOut:
    sim = _sim(flows)
    asset = _asset(flows, network)
    height = await sim.mine(network, body.blocks)
    return ChainOut(network=network.upper(), asset=asset, height=height)


async def reorg(network: Network, body: ReorgIn, flows: FlowsDep) -> ReorgOut:
    sim = _sim(flows)
    _asset(flows, network)
    result = await sim.reorg(network, body.txid)
    return ReorgOut(
        network=result.network,
        txid=result.txid,
        height=result.height,
        orphaned_blocks=result.orphaned_blocks,
    )


async def scan(flows: FlowsDep) -> None:
    await flows.run_chain_once()


def dev_chain_router() -> APIRouter:
    router = APIRouter(
        prefix="/v1/dev/chain",
        tags=["dev-chain"],
        responses=problem_responses(401, 403, 404, 422),
        # in this order: 404 when unavailable, whoever asks; then staff only
        dependencies=[Depends(available), Depends(require_permission(CHAIN_PERMISSION))],
    )
    add = router.add_api_route
    add("/{network}", tip, methods=["GET"], summary="The simulated network's tip")
    add(
        "/{network}/send",
        send,
        methods=["POST"],
        summary="An outside transaction paying an address (mempool)",
    )
    add(
        "/{network}/mine",
        mine,
        methods=["POST"],
        summary="Mine blocks (the first takes the mempool)",
    )
    add(
        "/{network}/reorg",
        reorg,
        methods=["POST"],
        summary="Reorganise a transaction away for good",
    )
    add(
        "/scan",
        scan,
        methods=["POST"],
        summary="Run the deposit watcher and withdrawal processor now",
        status_code=204,
    )
    return router
