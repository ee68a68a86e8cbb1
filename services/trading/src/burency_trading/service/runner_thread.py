"""The engine thread: batches of commands in, applied, journaled with one fsync, out.

Only this thread touches the engine and appends to the journal. The asyncio side puts
requests on a deque and sets an event; results go back with ``call_soon_threadsafe``
once the batch is durable. Read-only queries run here between batches.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from burency_trading.domain.model import Command
from burency_trading.service.ports import CommandResult, Journal, JournalRecord, SnapshotStore
from burency_trading.service.runner_types import RunnableEngine

__all__ = ["Decide", "EngineWorker", "Request"]

log = logging.getLogger(__name__)

E = TypeVar("E", bound=RunnableEngine)


Decide = Callable[[Any], tuple[Any, Command | None]]


@dataclass(slots=True)
class Request:
    """Commands submitted together (one for ``submit``), resolved by one callback.

    A *decided* request (``submit_decided``) has no command yet: ``decide(engine)`` runs
    at its place in the batch, on the state every earlier command left, and gives a value
    and the command to apply (or none); ``decided`` keeps the value (or the exception)."""

    commands: list[Command]
    token: Any  # the asyncio future (opaque here: only the loop side touches it)
    many: bool = False  # resolve with every result (submit_many), not just the one
    decide: Decide | None = None
    decided: Any = None

    @property
    def size(self) -> int:
        """The room it takes in the queue (a decided request: at most one command)."""
        return 1 if self.decide is not None else len(self.commands)


Delivered = Callable[[list[Request], list[CommandResult], frozenset[int]], None]
Query = tuple[Callable[[Any], Any], Callable[[Any, BaseException | None], None]]


class EngineWorker(Generic[E]):
    """The state the engine thread owns, and its loop (:meth:`run`)."""

    def __init__(
        self,
        engine: E,
        *,
        seq: int,
        ts: int,
        journal: Journal,
        snapshots: SnapshotStore,
        clock: Callable[[], int],
        batch_max: int,
        snapshot_every: int,
        on_durable: Delivered,
        on_snapshot: Callable[[int], None],
        on_failure: Callable[[str], None],
    ) -> None:
        self.engine = engine
        self.seq = seq  # applied
        self.durable_seq = seq
        self.last_ts = ts
        self.snapshot_seq = seq  # the state the last snapshot (or recovery) covers
        self.taken = 0  # commands taken off the queue (only this thread writes it)
        self.rate = 0.0  # commands/s (smoothed), for Retry-After estimates
        self.requests: deque[Request] = deque()
        self.inflight: list[Request] = []  # the batch being applied and journaled
        self.queries: deque[Query] = deque()
        self.wake = threading.Event()
        self.stopping = False
        self._journal = journal
        self._snapshots = snapshots
        self._clock = clock
        self._batch_max = batch_max
        self._snapshot_every = snapshot_every
        self._on_durable = on_durable
        self._on_snapshot = on_snapshot
        self._on_failure = on_failure
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="trading-snapshot")
        self._snapshot_busy = threading.Lock()

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> None:
        try:
            while True:
                self.wake.clear()
                # Read ``stopping`` first: the loop enqueues nothing once it is set, so
                # everything enqueued before is visible below and gets done.
                stopping = self.stopping
                self._run_queries()
                if self.requests:
                    self._batch()
                    continue
                if stopping:
                    self._run_queries()
                    break
                self.wake.wait()
            self._final_snapshot()
        except Exception as exc:  # the journal failed: nothing more may be acknowledged
            log.critical("engine thread stopped: %s", exc, exc_info=True)
            self._on_failure(str(exc))
        finally:
            self._writer.shutdown(wait=True)

    def inflight_tokens(self) -> list[Any]:
        return [request.token for request in self.inflight]

    def _run_queries(self) -> None:
        while self.queries:
            fn, done = self.queries.popleft()
            try:
                value = fn(self.engine)
            except Exception as exc:
                done(None, exc)
            else:
                done(value, None)

    def _batch(self) -> None:
        started = time.perf_counter()
        requests: list[Request] = []
        count = 0
        while self.requests and count < self._batch_max:
            request = self.requests.popleft()
            requests.append(request)
            count += request.size
        self.inflight = requests
        self.taken += count
        ts = self.last_ts = max(self._clock(), self.last_ts)
        results, failed = self._apply(requests, ts)
        # A CommandResult carries seq, ts and command like a JournalRecord, and a journal
        # reads only those: handing it the results saves an object per command (~1 µs).
        self._journal.append(cast(list[JournalRecord], results))
        self.durable_seq = self.seq
        self._on_durable(requests, results, failed)
        self.inflight = []
        elapsed = time.perf_counter() - started
        if elapsed > 0:
            self.rate = 0.8 * self.rate + 0.2 * (count / elapsed)
        if self.seq - self.snapshot_seq >= self._snapshot_every:
            self._snapshot()

    def _apply(
        self, requests: list[Request], ts: int
    ) -> tuple[list[CommandResult], frozenset[int]]:
        apply = self.engine.apply
        seq = self.seq
        results: list[CommandResult] = []
        failed: set[int] = set()
        for request in requests:
            if request.decide is not None:
                request.commands = self._decide(request)
            for command in request.commands:
                seq += 1
                try:
                    events = apply(command, seq=seq, ts=ts)
                except Exception:
                    log.exception("ENGINE FAILED ON COMMAND seq %d (journaled all the same)", seq)
                    failed.add(seq)
                    events = ()
                results.append(CommandResult(seq, ts, command, events))
        self.seq = seq
        return results, frozenset(failed)

    def _decide(self, request: Request) -> list[Command]:
        assert request.decide is not None
        try:
            request.decided, command = request.decide(self.engine)
        except Exception as exc:  # a bug in the decision: that request fails, no command
            request.decided = exc
            return []
        return [] if command is None else [command]

    # -- snapshots -------------------------------------------------------------------------

    def _snapshot(self) -> None:
        """Serialise here (consistent, between batches); write on the writer thread. If
        the previous write is still going, skip: the next batch tries again."""
        if not self._snapshot_busy.acquire(blocking=False):
            return
        seq = self.snapshot_seq = self.seq
        try:
            data = self.engine.snapshot()
        except Exception:  # an engine bug: matching goes on, the journal keeps everything
            log.exception(
                "ENGINE SNAPSHOT FAILED at seq %d (next try in %d)", seq, self._snapshot_every
            )
            self._snapshot_busy.release()
            return
        future = self._writer.submit(self._write_snapshot, seq, data)
        future.add_done_callback(lambda _f: self._snapshot_busy.release())

    def _write_snapshot(self, seq: int, data: bytes) -> None:
        try:
            self._snapshots.save(seq, data)
        except Exception:
            log.exception("SNAPSHOT %d FAILED (the journal keeps everything; retrying later)", seq)
            self.snapshot_seq = min(self.snapshot_seq, seq - self._snapshot_every)
            return
        self._on_snapshot(seq)

    def _final_snapshot(self) -> None:
        with self._snapshot_busy:
            if self.seq == 0 or self.seq in self._snapshots.seqs():
                return
            try:
                self._snapshots.save(self.seq, self.engine.snapshot())
            except Exception:
                log.exception("FINAL SNAPSHOT FAILED at seq %d (start-up replays more)", self.seq)
                return
            self.snapshot_seq = self.seq
            self._on_snapshot(self.seq)
