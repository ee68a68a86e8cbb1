"""The SQL projection: an :class:`~burency_trading.service.ports.EventSink` that writes
the engine's journaled results to the trading database and its outbox.

One transaction per batch (a large batch is cut into chunks of ``chunk_size`` results,
one transaction each). Folding a chunk into rows and building its statements runs on
the event loop without a pause, so a chunk is small enough (256 results, ~5 ms) not to
hold up the requests in flight: under order load the projection lags by thousands of
results and a 2,000-result chunk stalled every request for ~40 ms. The transaction reads
``projection_state.last_seq`` first and drops every result at or below it, so handling a
batch twice, or a batch that straddles ``last_seq``, applies each result exactly once;
it writes the rows (``orders``, ``trades``, ``balances``, ``transfers``, ``markets``),
the outbox messages (:mod:`.messages`; derived ids, ``ON CONFLICT DO NOTHING``) and the
new ``last_seq`` together. After the commit the service's ``after_commit`` hooks run and
the outbox relay wakes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from burency_common.db import dialect_insert, upsert
from burency_common.events import EventRegistry, default_registry
from burency_common.outbox.writer import OUTBOX_WRITTEN
from burency_common.timeutil import utc_now
from burency_common.unit_of_work import connection_transaction
from burency_trading.adapters.messages import Messages
from burency_trading.adapters.orm import (
    balances,
    markets,
    orders,
    outbox,
    projection_state,
    trades,
    transfers,
)
from burency_trading.adapters.projection_batch import Batch, market_spec, order_ids_to_load
from burency_trading.service.ports import CommandResult

__all__ = ["SqlProjection"]

_ORDER_STATE = (
    "qty", "status", "is_open", "stop_triggered", "filled_qty", "filled_quote", "fees_paid",
    "reason", "updated_ts", "last_seq",
)  # fmt: skip
_LOAD_CHUNK = 500  # order ids per IN (...) list


async def _upsert_many(
    db: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str],
    update: Iterable[str] | None = None,
) -> None:  # fmt: skip
    if not rows:
        return
    stmt = dialect_insert(db, table)
    columns = [c for c in rows[0] if c not in keys] if update is None else list(update)
    await db.execute(
        stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
        ),
        list(rows),
    )


async def _insert_ignore_many(
    db: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    if rows:
        stmt = dialect_insert(db, table).on_conflict_do_nothing(index_elements=list(keys))
        await db.execute(stmt, list(rows))


class SqlProjection:
    """Writes the engine's results to SQL (idempotent by seq) and its outbox.

    ``after_commit`` is the service's hook list (kept by reference: hooks added later
    run too). ``asset_scales`` gives the scale of assets no market names yet (the saga
    answers format amounts with it); markets teach the rest. ``name`` keys this sink's
    row in ``projection_state`` and is part of every derived event id. ``notify_filled``
    False sends no ``order.filled`` notification (the other messages are unchanged).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        name: str = "sql",
        registry: EventRegistry | None = None,
        after_commit: Sequence[Callable[[], None]] = (),
        asset_scales: Mapping[str, int] | None = None,
        chunk_size: int = 256,
        notify_filled: bool = True,
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self.name = name
        self._engine = engine
        self._after_commit = after_commit
        self._chunk = chunk_size
        self._messages = Messages(
            registry if registry is not None else default_registry(),
            sink=name,
            scales=asset_scales,
            notify_filled=notify_filled,
        )
        self._markets_loaded = False

    def skip_unheard(self, topics: Iterable[str]) -> None:
        """Write no outbox message on ``topics``: the bus says nobody could receive them
        (embedded mode, where every subscriber is in this process and known)."""
        self._messages.unheard = frozenset(topics)

    async def last_seq(self) -> int:
        async with self._engine.connect() as db:
            return await self._read_last(db)

    async def handle(self, results: Sequence[CommandResult]) -> None:
        for start in range(0, len(results), self._chunk):
            await self._handle_chunk(results[start : start + self._chunk])

    async def _handle_chunk(self, results: Sequence[CommandResult]) -> None:
        async with connection_transaction(self._engine, self._after_commit) as db:
            last = await self._read_last(db)
            fresh = [r for r in results if r.seq > last]
            if not fresh:
                return
            if not self._markets_loaded:
                await self._load_markets(db)
            known = await self._load_orders(db, order_ids_to_load(fresh))
            batch = Batch(self._messages, known)
            batch.fold(fresh)
            await self._write(db, batch)
            await upsert(
                db, projection_state,
                {"name": self.name, "last_seq": fresh[-1].seq, "updated_ts": fresh[-1].ts},
                index_elements=["name"],
            )  # fmt: skip

    async def _read_last(self, db: AsyncConnection) -> int:
        row = await db.execute(
            select(projection_state.c.last_seq).where(projection_state.c.name == self.name)
        )
        value = row.scalar_one_or_none()
        return 0 if value is None else int(value)

    async def _load_markets(self, db: AsyncConnection) -> None:
        for row in (await db.execute(select(markets))).mappings():
            self._messages.learn_market(market_spec(dict(row)))
        self._markets_loaded = True

    async def _load_orders(self, db: AsyncConnection, ids: set[int]) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        wanted = sorted(ids)
        for start in range(0, len(wanted), _LOAD_CHUNK):
            part = wanted[start : start + _LOAD_CHUNK]
            rows = await db.execute(select(orders).where(orders.c.order_id.in_(part)))
            for row in rows.mappings():
                found[row["order_id"]] = dict(row)
        return found

    async def _write(self, db: AsyncConnection, batch: Batch) -> None:
        await _upsert_many(db, markets, list(batch.markets.values()), ["symbol"])
        await _upsert_many(db, orders, list(batch.orders.values()), ["order_id"], _ORDER_STATE)
        await _insert_ignore_many(db, trades, batch.trades, ["trade_id"])
        await _upsert_many(db, balances, list(batch.balances.values()), ["user_id", "asset"])
        await _upsert_many(db, transfers, list(batch.transfers.values()), ["transfer_id", "kind"])
        await _insert_ignore_many(
            db, transfers, list(batch.replayed_transfers.values()), ["transfer_id", "kind"]
        )
        if batch.outbox:
            now = utc_now()
            unique = {row["event_id"]: row for row in batch.outbox}  # a transfer replayed twice
            rows = [{**row, "created_at": now} for row in unique.values()]
            await _insert_ignore_many(db, outbox, rows, ["event_id"])
            db.info[OUTBOX_WRITTEN] = True  # the relay wakes when the connection is returned
