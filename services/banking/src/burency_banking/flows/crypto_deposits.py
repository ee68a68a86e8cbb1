"""Crypto deposits: a stable address per (user, asset, network), and the watcher.

The watcher (:func:`scan_all`, run by the chain worker loop) asks the chain adapter
for outputs paying our addresses since the last scanned height (minus a rescan depth,
so a reorganisation that re-mines a transaction below the cursor is still seen),
records each output once as a ``PENDING`` deposit (unique by network, txid, output
index), then re-checks every pending deposit:

* the transaction is gone (``confirmations`` is ``None``): ``DROPPED``, never credited
  (it comes back to ``PENDING`` if the chain ever shows it again);
* it has the network's required confirmations: credited from ``CUSTODY`` to the user,
  exactly once: the row moves ``PENDING -> CREDITED`` by compare-and-set in the same
  transaction as the ledger transfer (whose id is derived from the output) and the
  ``deposit.credited`` notification.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.chain import IncomingOutput
from burency_banking.domain.model import SystemAccount, TransferSpec
from burency_banking.flows.config import NetworkRule
from burency_banking.flows.context import Flows
from burency_banking.flows.errors import invalid
from burency_banking.flows.records import CryptoDeposit, page_of
from burency_banking.flows.tables import chain_cursors, crypto_deposits, deposit_addresses
from burency_common.db import insert_ignore, upsert
from burency_common.ids import new_id
from burency_common.money import format_amount

__all__ = ["deposit_address", "list_for_user", "network_rule", "scan_all", "scan_network"]


def network_rule(flows: Flows, asset: str, network: str) -> NetworkRule:
    if asset not in flows.ctx.assets:
        raise invalid("UNKNOWN_ASSET", f"unknown asset {asset[:16]!r}", "asset")
    if flows.ctx.assets.get(asset).kind != "crypto":
        raise invalid("UNSUPPORTED_ASSET", f"{asset[:16]} is not a crypto asset here", "asset")
    rule = flows.config.network(asset, network)
    if rule is None:
        raise invalid("UNSUPPORTED_NETWORK", f"{asset} cannot move on {network[:16]}", "network")
    return rule


async def deposit_address(flows: Flows, *, user_id: str, asset: str, network: str) -> str:
    rule = network_rule(flows, asset, network)
    d = deposit_addresses.c
    where = (d.user_id == user_id) & (d.asset == rule.asset) & (d.network == rule.network)
    async with flows.ctx.engine.connect() as db:
        found = await db.scalar(select(d.address).where(where))
    if found is not None:
        return str(found)
    address = await flows.chain.new_address(user_id=user_id, asset=rule.asset, network=rule.network)
    async with flows.ctx.transaction() as db:
        values = {
            "user_id": user_id,
            "asset": rule.asset,
            "network": rule.network,
            "address": address,
            "created_at": flows.ctx.clock.now(),
        }
        await insert_ignore(db, deposit_addresses, values)
    return address


async def list_for_user(
    db: AsyncConnection, *, user_id: str, limit: int, cursor: str | None
) -> tuple[list[CryptoDeposit], str | None]:
    query = select(crypto_deposits).where(crypto_deposits.c.user_id == user_id)
    rows, next_cursor = await page_of(db, crypto_deposits, query, limit=limit, cursor=cursor)
    return [CryptoDeposit.from_row(r) for r in rows], next_cursor


async def scan_all(flows: Flows) -> None:
    for rule in flows.config.networks.values():
        await scan_network(flows, rule)


async def scan_network(flows: Flows, rule: NetworkRule) -> None:
    async with flows.ctx.engine.connect() as db:
        cursor = await db.scalar(
            select(chain_cursors.c.height).where(chain_cursors.c.network == rule.network)
        )
    tip = await flows.chain.height(rule.network)
    since = max(0, int(cursor or 0) - flows.ctx.settings.chain_rescan_depth)
    outputs = await flows.chain.deposits_since(rule.network, height=since)
    await _record(flows, rule, outputs)
    await _settle_pending(flows, rule)
    async with flows.ctx.transaction() as db:
        values = {"network": rule.network, "height": tip, "updated_at": flows.ctx.clock.now()}
        await upsert(db, chain_cursors, values, index_elements=["network"])


async def _record(flows: Flows, rule: NetworkRule, outputs: Sequence[IncomingOutput]) -> None:
    if not outputs:
        return
    d, c = deposit_addresses.c, crypto_deposits.c
    now = flows.ctx.clock.now()
    async with flows.ctx.transaction() as db:
        owners = {
            row.address: row
            for row in await db.execute(
                select(d.address, d.user_id, d.asset).where(
                    d.network == rule.network, d.address.in_({o.address for o in outputs})
                )
            )
        }
        for output in outputs:
            owner = owners.get(output.address)
            if owner is None or owner.asset != output.asset:
                continue  # not a deposit address of ours (or the wrong asset on it)
            row = {
                "id": new_id(),
                "user_id": owner.user_id,
                "asset": output.asset,
                "network": rule.network,
                "address": output.address,
                "txid": output.txid,
                "output_index": output.output_index,
                "amount": output.amount,
                "confirmations": output.confirmations,
                "required_confirmations": rule.confirmations,
                "status": "PENDING",
                "transfer_id": None,
                "created_at": now,
                "updated_at": now,
                "credited_at": None,
            }
            await insert_ignore(db, crypto_deposits, row)
            await db.execute(  # a dropped transaction that the chain shows again
                update(crypto_deposits)
                .where(
                    c.network == rule.network,
                    c.txid == output.txid,
                    c.output_index == output.output_index,
                    c.status == "DROPPED",
                )
                .values(status="PENDING", updated_at=now)
            )


async def _settle_pending(flows: Flows, rule: NetworkRule) -> None:
    c = crypto_deposits.c
    async with flows.ctx.engine.connect() as db:
        rows = (
            (
                await db.execute(
                    select(crypto_deposits).where(c.network == rule.network, c.status == "PENDING")
                )
            )
            .mappings()
            .all()
        )
    seen: dict[str, int | None] = {}
    for row in rows:
        deposit = CryptoDeposit.from_row(row)
        if deposit.txid not in seen:
            seen[deposit.txid] = await flows.chain.confirmations(rule.network, deposit.txid)
        confirmations = seen[deposit.txid]
        if confirmations is not None and confirmations >= deposit.required_confirmations:
            await _credit(flows, deposit, confirmations)
        else:
            await _update_pending(flows, deposit, confirmations)


async def _update_pending(flows: Flows, deposit: CryptoDeposit, confirmations: int | None) -> None:
    c = crypto_deposits.c
    values: dict[str, object] = {"updated_at": flows.ctx.clock.now()}
    if confirmations is None:
        values["status"] = "DROPPED"
    elif confirmations == deposit.confirmations:
        return
    else:
        values["confirmations"] = confirmations
    async with flows.ctx.transaction() as db:
        await db.execute(
            update(crypto_deposits)
            .where(c.id == deposit.id, c.status == "PENDING")
            .values(**values)
        )


async def _credit(flows: Flows, deposit: CryptoDeposit, confirmations: int) -> None:
    c = crypto_deposits.c
    ctx, now = flows.ctx, flows.ctx.clock.now()
    transfer_id = f"deposit.crypto:{deposit.network}:{deposit.txid}:{deposit.output_index}"
    async with ctx.transaction() as db:
        claimed = await db.execute(
            update(crypto_deposits)
            .where(c.id == deposit.id, c.status == "PENDING")
            .values(
                status="CREDITED",
                confirmations=confirmations,
                transfer_id=transfer_id,
                credited_at=now,
                updated_at=now,
            )
        )
        if getattr(claimed, "rowcount", 0) != 1:
            return  # credited (or dropped) by a concurrent pass
        account = await ctx.ledger.user_account(db, deposit.user_id, deposit.asset)
        custody = await ctx.ledger.system_account(db, SystemAccount.CUSTODY, deposit.asset)
        await ctx.ledger.transfer(
            db,
            TransferSpec(
                transfer_id,
                deposit.asset,
                custody,
                account,
                deposit.amount,
                "deposit.crypto",
                reference=deposit.id,
                memo=deposit.txid[:500],
            ),
        )
        shown = format_amount(deposit.amount, ctx.assets.get(deposit.asset))
        await ctx.outbox.notify(
            db,
            user_id=deposit.user_id,
            event="deposit.credited",
            data={
                "depositId": deposit.id,
                "asset": deposit.asset,
                "amount": shown,
                "network": deposit.network,
                "txid": deposit.txid,
                "method": "CRYPTO",
            },
            notification_id=f"deposit.credited:{deposit.id}",
        )
