"""The engine runner: one engine on its own thread, fed through a bounded queue, every
result acknowledged only once its command is durable in the journal.

    submit() --deque--> engine thread: apply batch -> journal.append (one fsync)
       ^                                     |
       +---- future resolved <--loop.call_soon_threadsafe-- results --> sinks' tasks

Nothing on the asyncio loop waits for an fsync or for the engine: a full queue is
:class:`EngineBusy` at once (the API's 503 + Retry-After). Snapshots are serialised on
the engine thread between batches and written on another thread; after each one the
journal is compacted below the oldest snapshot still needed. Recovery at ``start()``:
see :mod:`burency_trading.service.runner_recovery`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, cast

from burency_trading.domain.model import Command
from burency_trading.service.ports import CommandResult, EventSink, Journal, SnapshotStore
from burency_trading.service.runner_catchup import catch_up
from burency_trading.service.runner_recovery import BACKLOG_HIGH_WATER, recover
from burency_trading.service.runner_results import resolve, settle
from burency_trading.service.runner_sinks import SinkDelivery
from burency_trading.service.runner_thread import Decide, EngineWorker, Request
from burency_trading.service.runner_types import (
    CommandFailed,
    CompactableJournal,
    EngineBusy,
    RecoveryError,
    RunnableEngine,
    RunnerFailed,
    RunnerHealth,
    RunnerStopped,
)

__all__ = [
    "CommandFailed",
    "EngineBusy",
    "EngineRunner",
    "RecoveryError",
    "RunnerFailed",
    "RunnerHealth",
    "RunnerStopped",
]

log = logging.getLogger(__name__)

E = TypeVar("E", bound=RunnableEngine)
T = TypeVar("T")


def _wall_clock_us() -> int:
    return time.time_ns() // 1000


class EngineRunner(Generic[E]):
    """Owns one engine, its journal, its snapshots and the delivery to its sinks."""

    def __init__(
        self,
        *,
        engine_factory: Callable[[], E],
        engine_restore: Callable[[bytes], E],
        journal: Journal,
        snapshots: SnapshotStore,
        clock: Callable[[], int] = _wall_clock_us,
        sinks: Sequence[EventSink] = (),
        queue_size: int = 10_000,
        batch_max: int = 1_000,
        snapshot_every: int = 100_000,
        sink_backlog: int = 200_000,
    ) -> None:
        if queue_size < 1 or batch_max < 1 or snapshot_every < 1:
            raise ValueError("queue_size, batch_max and snapshot_every must be positive")
        self._factory = engine_factory
        self._restore = engine_restore
        self._journal = journal
        self._snapshots = snapshots
        self._clock = clock
        self._sinks = list(sinks)
        self._capacity = queue_size
        self._batch_max = batch_max
        self._snapshot_every = snapshot_every
        self._sink_backlog = sink_backlog
        self._deliveries: list[SinkDelivery] = []
        self._detached: list[SinkDelivery] = []  # waiting for the engine thread to start
        self._catchups: set[asyncio.Task[None]] = set()
        self._worker: EngineWorker[E] | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._enqueued = 0  # commands put on the queue (only the loop writes it)
        self._state = "stopped"
        self._failure: str | None = None
        self._snapshot_at = 0.0  # time.monotonic() of the last snapshot written/loaded
        self._has_snapshot = False

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Recover (snapshot + journal replay, catching sinks up), then start the thread."""
        if self._state != "stopped" or self._loop is not None:
            raise RuntimeError("an EngineRunner starts once (stop closes its journal)")
        self._state = "starting"
        self._loop = asyncio.get_running_loop()
        self._deliveries = [
            SinkDelivery(
                s, await s.last_seq(), max_backlog=self._sink_backlog, on_detach=self._sink_detached
            )
            for s in self._sinks
        ]
        for delivery in self._deliveries:
            delivery.start()
        try:
            rec = await recover(
                engine_factory=self._factory,
                engine_restore=self._restore,
                journal=self._journal,
                snapshots=self._snapshots,
                deliveries=self._deliveries,
            )
        except BaseException:  # the runner is done: release the journal (and its lock)
            await self._close_deliveries()
            self._journal.close()
            self._state = "stopped"
            raise
        self._worker = EngineWorker(
            rec.engine,
            seq=rec.seq,
            ts=rec.ts,
            journal=self._journal,
            snapshots=self._snapshots,
            clock=self._clock,
            batch_max=self._batch_max,
            snapshot_every=self._snapshot_every,
            on_durable=self._from_thread_durable,
            on_snapshot=self._snapshot_written,
            on_failure=self._from_thread_failure,
        )
        self._worker.snapshot_seq = rec.snapshot_seq
        self._has_snapshot = rec.snapshot_seq > 0
        self._snapshot_at = time.monotonic()
        self._thread = threading.Thread(target=self._worker.run, name="trading-engine", daemon=True)
        self._thread.start()
        self._state = "running"
        for delivery in self._detached:
            self._start_catch_up(delivery)
        self._detached.clear()

    async def stop(self, *, sink_timeout: float = 10.0) -> None:
        """Stop taking commands, finish the queued ones, write a final snapshot, deliver
        to the sinks (up to ``sink_timeout`` s each), close the journal."""
        if self._state in ("stopped", "stopping"):
            return
        self._state = "stopping"
        worker, thread = self._worker, self._thread
        if worker is not None and thread is not None:
            worker.stopping = True
            worker.wake.set()
            await asyncio.to_thread(thread.join)
        for delivery in self._deliveries:
            if not await delivery.drain(sink_timeout):
                log.error(
                    "sink %s did not catch up before stop (it resumes at start)", delivery.name
                )
        await self._close_deliveries()
        self._journal.close()
        self._state = "failed" if self._failure else "stopped"

    async def _close_deliveries(self) -> None:
        for task in list(self._catchups):
            task.cancel()
        await asyncio.gather(*self._catchups, return_exceptions=True)
        for delivery in self._deliveries:
            await delivery.close()

    # -- commands and queries ----------------------------------------------------------------

    async def submit(self, command: Command) -> CommandResult:
        """Apply ``command``; returns once it is journaled and fsynced.

        Raises :class:`EngineBusy` at once when the queue is full, :class:`RunnerStopped`
        when not running, :class:`CommandFailed` if the engine raised on it."""
        future = self._enqueue([command], many=False)
        result: CommandResult = await future
        return result

    async def submit_many(self, commands: Sequence[Command]) -> list[CommandResult]:
        """Apply ``commands`` in order, in requests of at most ``batch_max`` (so a bulk
        call does not hold up the commands queued behind it for long). All or none are
        enqueued: EngineBusy if they do not fit in the queue's free room, ValueError if
        they could never fit (more than ``queue_size``). Returns once all are durable."""
        if not commands:
            return []
        if len(commands) > self._capacity:
            raise ValueError(f"{len(commands)} commands exceed the queue ({self._capacity})")
        worker = self._check_room(len(commands))
        step = self._batch_max
        futures = [
            self._put(worker, list(commands[i : i + step]), many=True)
            for i in range(0, len(commands), step)
        ]
        results: list[CommandResult] = []
        for future in futures:
            results.extend(await future)
        return results

    async def submit_decided(
        self, decide: Callable[[E], tuple[T, Command | None]]
    ) -> tuple[T, CommandResult | None]:
        """Read and write in one round trip: ``decide(engine)`` runs on the engine thread
        at this request's place in its batch (on the state every earlier command left,
        nothing in between) and returns a value and the command to apply, or ``None`` for
        none; the call returns both (with the command's result) once the batch is durable,
        so an answer never rests on a state a crash could undo. A cancel looks its order
        up and cancels it this way. Queue room and errors: as :meth:`submit`."""
        future = self._put(self._check_room(1), [], decide=cast(Decide, decide))
        decided: tuple[T, CommandResult | None] = await future
        return decided

    def _enqueue(self, commands: list[Command], *, many: bool) -> asyncio.Future[Any]:
        return self._put(self._check_room(len(commands)), commands, many=many)

    def _check_room(self, count: int) -> EngineWorker[E]:
        worker = self._running_worker()
        depth = self._enqueued - worker.taken
        if depth + count > self._capacity:
            rate = max(worker.rate, 1.0)
            raise EngineBusy(retry_after=min(5.0, max(0.05, (depth + count) / rate)))
        return worker

    def _put(
        self,
        worker: EngineWorker[E],
        commands: list[Command],
        *,
        many: bool = False,
        decide: Decide | None = None,
    ) -> asyncio.Future[Any]:
        assert self._loop is not None
        future: asyncio.Future[Any] = self._loop.create_future()
        request = Request(commands, future, many, decide)
        self._enqueued += request.size
        worker.requests.append(request)
        if not worker.wake.is_set():  # the thread clears it before it looks at the queue
            worker.wake.set()
        return future

    async def query(self, fn: Callable[[E], T]) -> T:
        """Run read-only ``fn(engine)`` on the engine thread between batches."""
        worker = self._running_worker()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def done(value: Any, error: BaseException | None) -> None:
            loop.call_soon_threadsafe(settle, future, value, error)

        worker.queries.append((fn, done))
        worker.wake.set()
        return await future

    async def attach_sink(
        self, sink: EventSink, read: Callable[[E], T], prime: Callable[[T], None]
    ) -> None:
        """Attach ``sink`` to the running engine without replaying the journal for it:
        ``read(engine)`` runs on the engine thread between batches (the state as of the
        engine's seq S), then, on the loop and before any result after S is delivered,
        ``prime(value)`` and the sink gets every result after S. For in-memory sinks
        primed from the engine itself (market data); its ``last_seq`` is not asked."""
        worker = self._running_worker()
        assert self._loop is not None
        loop = self._loop
        attached: asyncio.Future[None] = loop.create_future()

        def on_thread(engine: E) -> None:
            value, seq = read(engine), worker.seq
            # queued behind the results up to S, ahead of any later batch's results
            loop.call_soon_threadsafe(self._attach_primed, sink, seq, prime, value, attached)

        await self.query(on_thread)
        await attached

    def _attach_primed(
        self, sink: EventSink, seq: int, prime: Callable[[Any], None], value: Any,
        attached: asyncio.Future[None],
    ) -> None:  # fmt: skip
        try:
            prime(value)
        except BaseException as exc:
            attached.set_exception(exc)
            return
        delivery = SinkDelivery(
            sink, seq, max_backlog=self._sink_backlog, on_detach=self._sink_detached
        )
        delivery.start()
        self._deliveries.append(delivery)
        attached.set_result(None)

    def _running_worker(self) -> EngineWorker[E]:
        if self._failure is not None:
            raise RunnerFailed(f"the engine stopped: {self._failure}")
        if self._state != "running" or self._worker is None:
            raise RunnerStopped()
        return self._worker

    # -- called from the engine / snapshot threads -----------------------------------------

    def _from_thread_durable(
        self, requests: list[Request], results: list[CommandResult], failed: frozenset[int]
    ) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._durable, requests, results, failed)

    def _durable(
        self, requests: list[Request], results: list[CommandResult], failed: frozenset[int]
    ) -> None:
        resolve(requests, results, failed)
        for delivery in self._deliveries:
            delivery.push(results)

    def _from_thread_failure(self, why: str) -> None:
        assert self._loop is not None
        self._failure = why
        self._loop.call_soon_threadsafe(self._fail_pending, why)

    def _fail_pending(self, why: str) -> None:
        worker = self._worker
        assert worker is not None
        while worker.requests:
            future: asyncio.Future[Any] = worker.requests.popleft().token
            if not future.done():
                future.set_exception(RunnerFailed(f"the engine stopped: {why}"))
        for fn_done in list(worker.queries):
            fn_done[1](None, RunnerFailed(why))
        worker.queries.clear()
        for future in worker.inflight_tokens():
            if not future.done():
                future.set_exception(RunnerFailed(f"not journaled, the engine stopped: {why}"))
        self._state = "failed"

    def _snapshot_written(self, seq: int) -> None:
        """On the snapshot writer thread: note it, then compact the journal below the
        oldest snapshot still needed (never past what the slowest sink may need)."""
        self._snapshot_at = time.monotonic()
        self._has_snapshot = True
        if not isinstance(self._journal, CompactableJournal):
            return
        seqs = self._snapshots.seqs()
        if not seqs:
            return
        slowest = min((d.delivered for d in self._deliveries), default=seq)
        for_sinks = max((s for s in seqs if s <= slowest), default=0)
        keep_after = min(seqs[0], for_sinks)
        if keep_after > 0:
            self._journal.compact(keep_after + 1)

    # -- sinks that fell too far behind ------------------------------------------------------

    def _sink_detached(self, delivery: SinkDelivery) -> None:
        if self._state == "running":
            self._start_catch_up(delivery)
        else:
            self._detached.append(delivery)  # during recovery: once the thread runs

    def _start_catch_up(self, delivery: SinkDelivery) -> None:
        worker = self._worker
        assert worker is not None
        task = asyncio.create_task(
            catch_up(
                delivery,
                engine_factory=self._factory,
                engine_restore=self._restore,
                journal=self._journal,
                snapshots=self._snapshots,
                durable_seq=lambda: worker.durable_seq,
                backlog=min(BACKLOG_HIGH_WATER, self._sink_backlog),
            ),
            name=f"trading-sink-catch-up-{delivery.name}",
        )
        self._catchups.add(task)
        task.add_done_callback(self._catchups.discard)

    # -- health ------------------------------------------------------------------------------

    def health(self) -> RunnerHealth:
        worker = self._worker
        seq = worker.seq if worker else 0
        durable = worker.durable_seq if worker else 0
        sinks = {d.name: d.delivered for d in self._deliveries}
        snapshot_seq = max(self._snapshots.seqs(), default=0)
        return RunnerHealth(
            seq=seq,
            durable_seq=durable,
            snapshot_seq=snapshot_seq,
            snapshot_age_seconds=(
                round(time.monotonic() - self._snapshot_at, 3) if self._has_snapshot else None
            ),
            queue_depth=(self._enqueued - worker.taken) if worker else 0,
            queue_capacity=self._capacity,
            sinks=sinks,
            sink_lag=max(0, durable - min(sinks.values(), default=durable)),
            state=self._state,
            detached_sinks=tuple(d.name for d in self._deliveries if d.detached),
        )
