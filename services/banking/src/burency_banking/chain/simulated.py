"""``SimulatedChain``: a ``ChainAdapter`` over the ``sim_*`` tables, with blocks and reorgs.

A stand-in for real nodes in embedded mode, development and tests. Each network is
its own chain: a tip height, blocks, a mempool (transactions without a block) and
outputs. Operators drive it through :meth:`send`, :meth:`mine` and :meth:`reorg`
(the dev HTTP endpoints and the CLI call these); banking uses only the port.

Writes that change a network's tip lock its ``sim_networks`` row (``FOR UPDATE`` on
PostgreSQL; SQLite serialises writers anyway), so concurrent miners never fork it.
The chain runs in its own transactions, never in banking's: it is an outside system.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from burency_banking.chain.addresses import derive_address
from burency_banking.chain.port import (
    IncomingOutput,
    OutgoingPayment,
    UnknownNetwork,
    UnknownTransaction,
    WalletTotals,
)
from burency_banking.chain.tables import (
    sim_addresses,
    sim_blocks,
    sim_networks,
    sim_outputs,
    sim_transactions,
)
from burency_common.db import insert_ignore
from burency_common.ids import new_id
from burency_common.timeutil import Clock, SystemClock

__all__ = ["ReorgResult", "SimulatedChain"]

_ETH_LIKE = frozenset({"ETH", "ERC20"})


@dataclass(frozen=True)
class ReorgResult:
    network: str
    txid: str
    height: int  # the new tip
    orphaned_blocks: int  # 0 when the transaction was still in the mempool


class SimulatedChain:
    """See the module docstring. ``networks`` maps network code -> asset symbol."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        networks: Mapping[str, str],
        seed: bytes,
        clock: Clock | None = None,
    ) -> None:
        self._engine = engine
        self._networks = {code.upper(): asset for code, asset in networks.items()}
        self._seed = seed
        self._clock = clock or SystemClock()

    def networks(self) -> dict[str, str]:
        return dict(self._networks)

    def _network(self, network: str) -> str:
        code = network.upper()
        if code not in self._networks:
            raise UnknownNetwork(network)
        return code

    def _txid(self, network: str) -> str:
        digest = hashlib.sha256(f"{network}:{new_id()}".encode()).hexdigest()
        return "0x" + digest if network in _ETH_LIKE else digest

    # -- the port -------------------------------------------------------------------

    async def new_address(self, *, user_id: str, asset: str, network: str) -> str:
        code = self._network(network)
        address = derive_address(self._seed, user_id=user_id, asset=asset, network=code)
        async with self._engine.begin() as db:
            values = {"network": code, "address": address, "created_at": self._clock.now()}
            await insert_ignore(db, sim_addresses, values)
        return address

    async def height(self, network: str) -> int:
        code = self._network(network)
        async with self._engine.connect() as db:
            tip = await db.scalar(
                sa.select(sim_networks.c.height).where(sim_networks.c.network == code)
            )
        return int(tip or 0)

    async def deposits_since(self, network: str, *, height: int) -> list[IncomingOutput]:
        code = self._network(network)
        o, t, a = sim_outputs.c, sim_transactions.c, sim_addresses.c
        query = (
            sa.select(o.txid, o.output_index, o.address, o.asset, o.amount, t.block_height)
            .join(sim_transactions, (t.network == o.network) & (t.txid == o.txid))
            .join(sim_addresses, (a.network == o.network) & (a.address == o.address))
            .where(o.network == code, sa.not_(t.dropped))
            .where(sa.or_(t.block_height.is_(None), t.block_height > height))
            .order_by(t.block_height.nulls_last(), o.txid, o.output_index)
        )
        async with self._engine.connect() as db:
            tip = await self._tip(db, code)
            rows = (await db.execute(query)).all()
        return [
            IncomingOutput(
                network=code,
                txid=row.txid,
                output_index=row.output_index,
                address=row.address,
                asset=row.asset,
                amount=int(row.amount),
                confirmations=0 if row.block_height is None else tip - row.block_height + 1,
                block_height=row.block_height,
            )
            for row in rows
        ]

    async def confirmations(self, network: str, txid: str) -> int | None:
        code = self._network(network)
        t = sim_transactions.c
        async with self._engine.connect() as db:
            tip = await self._tip(db, code)
            row = (
                await db.execute(
                    sa.select(t.block_height, t.dropped).where(t.network == code, t.txid == txid)
                )
            ).first()
        if row is None or row.dropped:
            return None
        return 0 if row.block_height is None else tip - row.block_height + 1

    async def broadcast(self, payment: OutgoingPayment) -> str:
        code = self._network(payment.network)
        existing = await self._by_reference(code, payment.reference)
        if existing is not None:
            return existing
        txid = self._txid(code)
        try:
            async with self._engine.begin() as db:
                await self._insert_tx(db, code, txid, direction="out", reference=payment.reference)
                await self._insert_outputs(
                    db, code, txid, payment.asset, [(payment.address, payment.amount)]
                )
        except IntegrityError:  # a concurrent broadcast of the same reference won
            existing = await self._by_reference(code, payment.reference)
            if existing is None:
                raise
            return existing
        return txid

    async def wallet_totals(
        self, network: str, *, min_confirmations: int
    ) -> dict[str, WalletTotals]:
        async with self._engine.connect() as db:
            return await self.wallet_totals_in(db, network, min_confirmations=min_confirmations)

    async def wallet_totals_in(
        self, db: AsyncConnection, network: str, *, min_confirmations: int
    ) -> dict[str, WalletTotals]:
        """:meth:`wallet_totals` read in the caller's transaction ``db``: the simulation
        lives in the banking database, so reconciliation reads the ledger and the chain
        in one snapshot (and, on SQLite, does not wait for its own write lock)."""
        code = self._network(network)
        tip = await self._tip(db, code)
        deepest = tip - max(min_confirmations, 1) + 1
        received = await self._sums(db, code, deepest, incoming=True)
        sent = await self._sums(db, code, deepest, incoming=False)
        return {
            asset: WalletTotals(asset, received.get(asset, 0), sent.get(asset, 0))
            for asset in {*received, *sent, self._networks[code]}
        }

    # -- operator/dev operations ----------------------------------------------------

    async def send(self, network: str, outputs: Sequence[tuple[str, int]]) -> str:
        """An outside transaction paying ``(address, amount)`` outputs; into the mempool."""
        code = self._network(network)
        if not outputs or any(amount <= 0 for _, amount in outputs):
            raise ValueError("a transaction needs outputs with positive amounts")
        txid = self._txid(code)
        async with self._engine.begin() as db:
            await self._insert_tx(db, code, txid, direction="in", reference=None)
            await self._insert_outputs(db, code, txid, self._networks[code], outputs)
        return txid

    async def mine(self, network: str, blocks: int = 1) -> int:
        """Mine ``blocks`` blocks (the first takes the whole mempool); the new tip."""
        code = self._network(network)
        if blocks < 1:
            raise ValueError("mine at least one block")
        async with self._engine.begin() as db:
            tip = await self._lock_tip(db, code)
            for _ in range(blocks):
                tip = await self._mine_one(db, code, tip)
        return tip

    async def reorg(self, network: str, txid: str) -> ReorgResult:
        """Reorganise ``txid`` away: it is dropped for good; blocks from its block up are
        replaced by a longer branch holding every other transaction they had."""
        code = self._network(network)
        t = sim_transactions.c
        async with self._engine.begin() as db:
            tip = await self._lock_tip(db, code)
            row = (
                await db.execute(
                    sa.select(t.block_height, t.dropped).where(t.network == code, t.txid == txid)
                )
            ).first()
            if row is None or row.dropped:
                raise UnknownTransaction()
            where_tx = (t.network == code) & (t.txid == txid)
            await db.execute(sa.update(sim_transactions).where(where_tx).values(dropped=True))
            if row.block_height is None:
                return ReorgResult(code, txid, tip, 0)
            fork = int(row.block_height)
            await db.execute(
                sa.update(sim_transactions)
                .where(t.network == code, t.block_height >= fork)
                .values(block_height=None)
            )
            await db.execute(
                sa.delete(sim_blocks).where(
                    sim_blocks.c.network == code, sim_blocks.c.height >= fork
                )
            )
            new_tip = fork - 1
            for _ in range(tip - fork + 2):  # the new branch is one block longer
                new_tip = await self._mine_one(db, code, new_tip)
        return ReorgResult(code, txid, new_tip, tip - fork + 1)

    # -- helpers --------------------------------------------------------------------

    async def _tip(self, db: AsyncConnection, code: str) -> int:
        tip = await db.scalar(
            sa.select(sim_networks.c.height).where(sim_networks.c.network == code)
        )
        return int(tip or 0)

    async def _lock_tip(self, db: AsyncConnection, code: str) -> int:
        await insert_ignore(db, sim_networks, {"network": code, "height": 0})
        tip = await db.scalar(
            sa.select(sim_networks.c.height).where(sim_networks.c.network == code).with_for_update()
        )
        return int(tip or 0)

    async def _mine_one(self, db: AsyncConnection, code: str, tip: int) -> int:
        height = tip + 1
        t = sim_transactions.c
        mempool = (t.network == code) & t.block_height.is_(None) & sa.not_(t.dropped)
        txids = (await db.scalars(sa.select(t.txid).where(mempool).order_by(t.txid))).all()
        block_hash = hashlib.sha256(f"{code}:{height}:{new_id()}:{txids}".encode()).hexdigest()
        await db.execute(
            sa.insert(sim_blocks).values(
                network=code, height=height, hash=block_hash, mined_at=self._clock.now()
            )
        )
        await db.execute(sa.update(sim_transactions).where(mempool).values(block_height=height))
        await db.execute(
            sa.update(sim_networks).where(sim_networks.c.network == code).values(height=height)
        )
        return height

    async def _insert_tx(
        self, db: AsyncConnection, code: str, txid: str, *, direction: str, reference: str | None
    ) -> None:
        await db.execute(
            sa.insert(sim_transactions).values(
                network=code,
                txid=txid,
                direction=direction,
                block_height=None,
                dropped=False,
                reference=reference,
                created_at=self._clock.now(),
            )
        )

    async def _insert_outputs(
        self,
        db: AsyncConnection,
        code: str,
        txid: str,
        asset: str,
        outputs: Sequence[tuple[str, int]],
    ) -> None:
        rows = [
            {
                "network": code,
                "txid": txid,
                "output_index": index,
                "address": address,
                "asset": asset,
                "amount": amount,
            }
            for index, (address, amount) in enumerate(outputs)
        ]
        await db.execute(sa.insert(sim_outputs), rows)

    async def _by_reference(self, code: str, reference: str) -> str | None:
        t = sim_transactions.c
        async with self._engine.connect() as db:
            found = await db.scalar(
                sa.select(t.txid).where(t.network == code, t.reference == reference)
            )
        return str(found) if found is not None else None

    async def _sums(
        self, db: AsyncConnection, code: str, deepest: int, *, incoming: bool
    ) -> dict[str, int]:
        o, t = sim_outputs.c, sim_transactions.c
        query = (
            sa.select(o.asset, sa.func.sum(o.amount))
            .join(sim_transactions, (t.network == o.network) & (t.txid == o.txid))
            .where(o.network == code, sa.not_(t.dropped), t.block_height <= deepest)
            .group_by(o.asset)
        )
        if incoming:
            query = query.join(
                sim_addresses,
                (sim_addresses.c.network == o.network) & (sim_addresses.c.address == o.address),
            )
        else:
            query = query.where(t.direction == "out")
        return {asset: int(total) for asset, total in (await db.execute(query)).all()}
