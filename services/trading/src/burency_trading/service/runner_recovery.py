"""Start-up: rebuild the engine from the newest usable snapshot plus the journal after it,
and catch every sink up on the way.

The snapshot is the newest at or before ``min(every sink's last_seq, journal last_seq)``
so that replaying from it regenerates exactly the results a lagging sink has not seen;
each sink gets only results above its own ``last_seq`` (sinks are idempotent by seq, so
one that saw a result again is harmless). The replay runs on a worker thread in chunks so
the loop stays responsive; a sink whose backlog grows large is waited for (unless it is
failing) so catch-up does not hold the whole journal in memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from burency_trading.service.ports import CommandResult, Journal, JournalRecord, SnapshotStore
from burency_trading.service.runner_sinks import SinkDelivery
from burency_trading.service.runner_types import CompactableJournal, RecoveryError, RunnableEngine

__all__ = ["Recovered", "recover", "replay_chunk", "starting_point"]

log = logging.getLogger(__name__)

E = TypeVar("E", bound=RunnableEngine)

CHUNK = 2048
BACKLOG_HIGH_WATER = 50_000


@dataclass(slots=True)
class Recovered(Generic[E]):
    engine: E
    seq: int  # the journal's last seq: the engine's state includes it
    ts: int  # the last replayed command's ts (0 when nothing was replayed)
    snapshot_seq: int  # the snapshot replay started from (0: an empty engine)
    replayed: int


async def recover(
    *,
    engine_factory: Callable[[], E],
    engine_restore: Callable[[bytes], E],
    journal: Journal,
    snapshots: SnapshotStore,
    deliveries: list[SinkDelivery],
) -> Recovered[E]:
    journal_last = journal.last_seq()
    _check_not_ahead(snapshots, deliveries, journal_last)
    target = min([journal_last, *(d.delivered for d in deliveries)])
    engine, snapshot_seq = await starting_point(
        target,
        engine_factory=engine_factory,
        engine_restore=engine_restore,
        journal=journal,
        snapshots=snapshots,
    )
    state = Recovered(engine, snapshot_seq, 0, snapshot_seq, 0)
    records = journal.read_from(snapshot_seq + 1)
    while True:
        results, done = await asyncio.to_thread(
            replay_chunk, state, records, min(target, journal_last)
        )
        for delivery in deliveries:
            delivery.push(results)
            await delivery.wait_below(BACKLOG_HIGH_WATER)
        if done:
            break
    if state.seq != journal_last:
        raise RecoveryError(f"replay ended at seq {state.seq}, the journal at {journal_last}")
    log.info(
        "engine recovered: snapshot %d + %d journaled commands -> seq %d",
        snapshot_seq,
        state.replayed,
        state.seq,
    )
    return state


async def starting_point(
    target: int,
    *,
    engine_factory: Callable[[], E],
    engine_restore: Callable[[bytes], E],
    journal: Journal,
    snapshots: SnapshotStore,
) -> tuple[E, int]:
    """An engine at the newest usable snapshot at or before ``target`` (and its seq), or
    an empty engine (seq 0) when the journal still starts at seq 1; else RecoveryError."""
    journal_last = journal.last_seq()
    found = await asyncio.to_thread(snapshots.latest, target)
    first = journal.first_seq() if isinstance(journal, CompactableJournal) else 1
    if found is not None and journal_last and found[0] + 1 < first:
        log.error("snapshot %d is older than the journal (from seq %d): unusable", found[0], first)
        found = None
    if found is None:
        if journal_last and first > 1:
            raise RecoveryError(
                f"no snapshot at or before seq {target} and the journal starts at seq {first}: "
                "cannot rebuild the engine (a snapshot was lost, or a sink is too far behind)"
            )
        return engine_factory(), 0
    snapshot_seq, data = found
    return await asyncio.to_thread(engine_restore, data), snapshot_seq


def _check_not_ahead(snapshots: SnapshotStore, deliveries: list[SinkDelivery], last: int) -> None:
    """A snapshot or a sink past the journal's end means journaled commands were lost."""
    newest = max(snapshots.seqs(), default=0)
    if newest > last:
        raise RecoveryError(f"snapshot {newest} is ahead of the journal (last seq {last})")
    for delivery in deliveries:
        if delivery.delivered > last:
            raise RecoveryError(
                f"sink {delivery.name} has seq {delivery.delivered}, the journal ends at {last}"
            )


def replay_chunk(
    state: Recovered[E], records: Iterator[JournalRecord], keep_above: int
) -> tuple[list[CommandResult], bool]:
    """Apply up to CHUNK records; keep the results some sink still needs."""
    apply = state.engine.apply
    results: list[CommandResult] = []
    for _ in range(CHUNK):
        record = next(records, None)
        if record is None:
            return results, True
        try:
            events = apply(record.command, seq=record.seq, ts=record.ts)
        except Exception:
            log.exception("engine failed on journaled seq %d (as it did live)", record.seq)
            events = ()
        state.seq, state.ts = record.seq, record.ts
        state.replayed += 1
        if record.seq > keep_above:
            results.append(CommandResult(record.seq, record.ts, record.command, events))
    return results, False
