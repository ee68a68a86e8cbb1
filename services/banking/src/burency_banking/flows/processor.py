"""The crypto withdrawal processor (part of the chain worker loop).

``QUEUED -> PROCESSING`` is committed *before* the broadcast, so a user can no longer
cancel a withdrawal that may be on its way. The broadcast is idempotent by withdrawal
id, so a worker that dies between broadcasting and recording ``BROADCAST`` simply
broadcasts again on its next pass (``PROCESSING`` rows are retried) and gets the same
transaction id. A ``BROADCAST`` withdrawal completes at the network's required
confirmations and fails (its hold voided) if the chain drops its transaction.
"""

from __future__ import annotations

from sqlalchemy import select, update

from burency_banking.chain import OutgoingPayment
from burency_banking.flows import withdrawals as flow
from burency_banking.flows.context import Flows
from burency_banking.flows.errors import NotPending
from burency_banking.flows.records import Withdrawal
from burency_banking.flows.tables import withdrawals

__all__ = ["process_all"]

_BATCH = 100


async def _batch(flows: Flows, *states: str) -> list[Withdrawal]:
    w = withdrawals.c
    query = (
        select(withdrawals)
        .where(w.kind == "CRYPTO", w.status.in_(states))
        .order_by(w.id)
        .limit(_BATCH)
    )
    async with flows.ctx.engine.connect() as db:
        return [Withdrawal.from_row(r) for r in (await db.execute(query)).mappings().all()]


async def process_all(flows: Flows) -> None:
    for queued in await _batch(flows, "QUEUED"):
        async with flows.ctx.transaction() as db:
            claimed = await db.execute(
                update(withdrawals)
                .where(withdrawals.c.id == queued.id, withdrawals.c.status == "QUEUED")
                .values(status="PROCESSING", updated_at=flows.ctx.clock.now())
            )
        if getattr(claimed, "rowcount", 0) == 1:
            await _broadcast(flows, queued)
    for processing in await _batch(flows, "PROCESSING"):
        await _broadcast(flows, processing)
    for sent in await _batch(flows, "BROADCAST"):
        await _follow(flows, sent)


async def _broadcast(flows: Flows, w: Withdrawal) -> None:
    assert w.network is not None
    assert w.address is not None
    txid = await flows.chain.broadcast(
        OutgoingPayment(
            reference=w.id, network=w.network, asset=w.asset, address=w.address, amount=w.amount
        )
    )
    async with flows.ctx.transaction() as db:
        await db.execute(
            update(withdrawals)
            .where(withdrawals.c.id == w.id, withdrawals.c.status == "PROCESSING")
            .values(status="BROADCAST", txid=txid, updated_at=flows.ctx.clock.now())
        )


async def _follow(flows: Flows, w: Withdrawal) -> None:
    assert w.network is not None
    assert w.txid is not None
    rule = flows.config.networks.get(w.network)
    confirmations = await flows.chain.confirmations(w.network, w.txid)
    if confirmations is not None and (rule is None or confirmations < rule.confirmations):
        return
    async with flows.ctx.transaction() as db:
        try:
            current = await flow.lock_in_state(db, w.id, ("BROADCAST",), "WITHDRAWAL_NOT_BROADCAST")
        except NotPending:
            return  # settled by a concurrent pass
        if confirmations is None:
            await flow.fail(flows, db, current, "the network dropped the transaction")
        else:
            await flow.complete(flows, db, current)
