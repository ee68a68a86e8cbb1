"""The outbox relay: publishes committed outbox rows to the bus, at least once, in order.

On PostgreSQL the relay selects a batch ``FOR UPDATE SKIP LOCKED`` inside a
transaction that also holds a transaction-scoped advisory lock, publishes the batch
and marks it sent before committing. Several relays can run for one service: one
publishes while the others wait their turn, so events keep their order per key, and
if the active relay dies its locks vanish with its connection and another relay
carries on from the first unmarked row. A relay killed after publishing but before
committing makes the next one publish those rows again, which is why consumers
dedupe through the inbox.

SQLite (embedded mode, one process, one relay per service) cannot hold row locks;
it reads a batch, publishes it, then marks it in a second short transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from burency_common.bus.port import EventBus
from burency_common.events import EventEnvelope
from burency_common.logging import get_logger
from burency_common.timeutil import utc_now

__all__ = ["OutboxRelay"]

_ADVISORY_LOCK_KEY = 0x0B7E_0C0F_FEE0_0001  # "burency outbox relay", fits in a signed bigint
_log = get_logger("burency.outbox")
_MAX_RETRY_DELAY = 5.0


class OutboxRelay:
    """Moves outbox rows of one service database to the bus."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        outbox: Table,
        bus: EventBus,
        batch_size: int = 200,
        poll_interval: float = 0.25,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._bus = bus
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._wakeup = asyncio.Event()
        self._locking = engine.dialect.name == "postgresql"

    def wake(self) -> None:
        """Ask the relay to look for rows now instead of at its next poll."""
        self._wakeup.set()

    async def publish_pending(self, *, wait_turn: bool = False) -> int:
        """Publish one batch of pending rows; returns how many were published.

        On PostgreSQL another relay may hold the turn: without ``wait_turn`` this returns
        0 at once (the running loop polls again); with it, it waits for that relay's batch
        to commit and then publishes what is left.
        """
        if self._locking:
            return await self._publish_locked(wait_turn=wait_turn)
        return await self._publish_unlocked()

    async def drain(self) -> int:
        """Publish until nothing is pending; returns the total published.

        It waits its turn behind a relay that is publishing (the component's own running
        loop, say), so when it returns every row committed before the call is on the bus.
        """
        total = 0
        while published := await self.publish_pending(wait_turn=True):
            total += published
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Publish continuously until ``stop`` is set; survives bus or database outages."""
        failures = 0
        while not stop.is_set():
            try:
                published = await self.publish_pending()
                failures = 0
            except Exception as exc:
                failures += 1
                _log.warning("outbox.publish_failed", error=type(exc).__name__, failures=failures)
                published = 0
            if published >= self._batch_size:
                continue
            await self._sleep_or_wake(stop, self._delay(failures))

    def _delay(self, failures: int) -> float:
        """The idle poll, or after failures a backoff from it, retrying within 5 s at most."""
        if not failures:
            return self._poll_interval
        return min(_MAX_RETRY_DELAY, self._poll_interval * float(2 ** min(failures, 5)))

    async def _sleep_or_wake(self, stop: asyncio.Event, delay: float) -> None:
        waiters = {asyncio.ensure_future(self._wakeup.wait()), asyncio.ensure_future(stop.wait())}
        try:
            await asyncio.wait(waiters, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
            self._wakeup.clear()

    def _pending(self) -> Any:
        table = self._outbox
        return (
            select(table.c.seq, table.c.topic, table.c.body)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.seq)
            .limit(self._batch_size)
        )

    async def _publish_locked(self, *, wait_turn: bool) -> int:
        async with self._engine.begin() as conn:
            if wait_turn:
                await conn.execute(select(func.pg_advisory_xact_lock(_ADVISORY_LOCK_KEY)))
            elif not await conn.scalar(select(func.pg_try_advisory_xact_lock(_ADVISORY_LOCK_KEY))):
                return 0
            rows = (await conn.execute(self._pending().with_for_update(skip_locked=True))).all()
            await self._publish_rows(rows)
            await self._mark(conn, [row.seq for row in rows])
        return len(rows)

    async def _publish_unlocked(self) -> int:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(self._pending())).all()
        await self._publish_rows(rows)
        async with self._engine.begin() as conn:
            await self._mark(conn, [row.seq for row in rows])
        return len(rows)

    async def _publish_rows(self, rows: Sequence[Row[Any]]) -> None:
        for row in rows:
            await self._bus.publish(EventEnvelope.from_bytes(row.body), topic=row.topic)

    async def _mark(self, conn: AsyncConnection, seqs: list[int]) -> None:
        if not seqs:
            return
        table = self._outbox
        await conn.execute(
            update(table)
            .where(table.c.seq.in_(seqs))
            .values(published_at=utc_now(), attempts=table.c.attempts + 1)
        )
