"""Catching a detached sink up from the journal while the engine runs.

A sink that fell more than ``max_backlog`` results behind (it was down) stops receiving
live results, so its backlog cannot grow without bound. This task rebuilds the results it
has not seen instead: a second engine, restored from the newest snapshot at or before the
last seq queued for the sink, replays the journal (on a worker thread, in chunks) and the
results above that seq go to the sink, with back-pressure. Once the replay has reached the
live engine's durable seq, the sink is attached again, in one step on the loop, so no
result is missed or duplicated (the live hand-over filters by seq).

The engine is deterministic, so these results equal the live ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from burency_trading.service.ports import Journal, SnapshotStore
from burency_trading.service.runner_recovery import Recovered, replay_chunk, starting_point
from burency_trading.service.runner_sinks import SinkDelivery
from burency_trading.service.runner_types import RecoveryError, RunnableEngine

__all__ = ["catch_up"]

log = logging.getLogger(__name__)

E = TypeVar("E", bound=RunnableEngine)


async def catch_up(
    delivery: SinkDelivery,
    *,
    engine_factory: Callable[[], E],
    engine_restore: Callable[[bytes], E],
    journal: Journal,
    snapshots: SnapshotStore,
    durable_seq: Callable[[], int],
    backlog: int,
) -> None:
    """Feed ``delivery`` from the journal until it reaches the live stream; re-attach it."""
    start = delivery.queued_to
    try:
        engine, snapshot_seq = await starting_point(
            start,
            engine_factory=engine_factory,
            engine_restore=engine_restore,
            journal=journal,
            snapshots=snapshots,
        )
    except RecoveryError as exc:
        log.critical("sink %s cannot be caught up (%s): it stays detached", delivery.name, exc)
        return
    log.warning(
        "sink %s: catching up from seq %d (snapshot %d)", delivery.name, start, snapshot_seq
    )
    state = Recovered(engine, snapshot_seq, 0, snapshot_seq, 0)
    while True:
        records = journal.read_from(state.seq + 1)
        done = False
        while not done:
            results, done = await asyncio.to_thread(replay_chunk, state, records, start)
            delivery.push(results, catching_up=True)
            await delivery.wait_room(backlog)
        if state.seq >= durable_seq():  # checked and attached in one step on the loop
            delivery.detached = False
            log.warning("sink %s caught up at seq %d: attached again", delivery.name, state.seq)
            return
