"""Reconciliation check ``custody_matches_chain``: per crypto asset, what the ledger says
custody holds equals what the chain says the wallet holds.

Ledger side: custody is debited by every credited deposit and credited by every
completed withdrawal, so ``-posted(CUSTODY)`` is what the exchange should hold.
Chain side: for every network carrying the asset, outputs received by the wallet
minus what it sent, counting only transactions with the network's required
confirmations (what the flows act on). A difference means money the ledger and the
chain disagree about; right after a block it can also mean the chain worker has not
run yet, so the finding names both figures and the worker's backlog.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters.orm import ledger_accounts
from burency_banking.domain.model import SystemAccount
from burency_banking.flows.context import Flows
from burency_banking.flows.tables import crypto_deposits, withdrawals
from burency_banking.service.reconciliation import Finding, ReconciliationCheck
from burency_common.money import format_amount

__all__ = ["CHECK_NAME", "custody_check"]

CHECK_NAME = "custody_matches_chain"


async def _chain_balance(flows: Flows, db: AsyncConnection, asset: str) -> int:
    total = 0
    for rule in flows.config.networks.values():
        if rule.asset != asset:
            continue
        if flows.sim is not None:
            totals = await flows.sim.wallet_totals_in(
                db, rule.network, min_confirmations=rule.confirmations
            )
        else:
            totals = await flows.chain.wallet_totals(
                rule.network, min_confirmations=rule.confirmations
            )
        found = totals.get(asset)
        if found is not None:
            total += found.received - found.sent
    return total


async def _backlog(db: AsyncConnection, asset: str) -> int:
    pending = await db.scalar(
        select(func.count()).where(crypto_deposits.c.asset == asset,
                                   crypto_deposits.c.status == "PENDING")
    )  # fmt: skip
    sent = await db.scalar(
        select(func.count()).where(withdrawals.c.asset == asset,
                                   withdrawals.c.status == "BROADCAST")
    )  # fmt: skip
    return int(pending or 0) + int(sent or 0)


def custody_check(flows: Flows) -> ReconciliationCheck:
    async def run(db: AsyncConnection) -> list[Finding]:
        a = ledger_accounts.c
        findings = []
        for asset in {rule.asset for rule in flows.config.networks.values()}:
            posted = await db.scalar(
                select(func.coalesce(func.sum(a.posted), 0)).where(
                    a.asset == asset, a.kind == SystemAccount.CUSTODY.value
                )
            )
            ledger_view, chain_view = -int(posted or 0), await _chain_balance(flows, db, asset)
            if ledger_view != chain_view:
                scale = flows.ctx.assets.get(asset)
                findings.append(
                    Finding(
                        CHECK_NAME, asset,
                        f"custody per ledger {format_amount(ledger_view, scale)} != per chain "
                        f"{format_amount(chain_view, scale)} "
                        f"({await _backlog(db, asset)} deposits/withdrawals in progress)",
                    )
                )  # fmt: skip
        return findings

    return ReconciliationCheck(CHECK_NAME, run)
