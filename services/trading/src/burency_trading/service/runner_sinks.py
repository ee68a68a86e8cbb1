"""Delivering the engine's results to one event sink, on the asyncio loop.

Each sink has its own task: results reach it in seq order, never concurrently with
itself; whatever arrives while a ``handle`` call is in flight is merged into the next
call (up to ``max_batch`` results). A failing sink is logged and retried with backoff
on the same results; it never slows the engine, which only appends to ``pending``.

The backlog is bounded: past ``max_backlog`` results the sink is **detached** (live
results are no longer queued for it, ``on_detach`` is called) and the runner catches it
up from the journal instead (``runner_catchup``), then attaches it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from burency_trading.service.ports import CommandResult, EventSink

__all__ = ["SinkDelivery"]

log = logging.getLogger(__name__)


class SinkDelivery:
    """The delivery task and backlog of one :class:`EventSink`."""

    def __init__(
        self,
        sink: EventSink,
        delivered: int,
        *,
        max_batch: int = 10_000,
        max_backlog: int = 200_000,
        backoff_initial: float = 0.05,
        backoff_max: float = 5.0,
        on_detach: Callable[[SinkDelivery], None] | None = None,
    ) -> None:
        self.sink = sink
        self.name = sink.name
        self.delivered = delivered  # highest seq the sink has handled
        self.failing = False
        self.failures = 0
        self.detached = False  # behind by more than max_backlog: caught up from the journal
        self._pending: list[CommandResult] = []
        self._queued_to = delivered  # highest seq in pending (or delivered)
        self._max_batch = max_batch
        self._max_backlog = max_backlog
        self._on_detach = on_detach
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    @property
    def backlog(self) -> int:
        return len(self._pending)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"trading-sink-{self.name}")

    def push(self, results: Sequence[CommandResult], *, catching_up: bool = False) -> None:
        """Queue the results this sink has not seen (seq above what it already has).
        While detached, only the journal catch-up (``catching_up``) queues results."""
        if self.detached and not catching_up:
            return
        if not results or results[-1].seq <= self._queued_to:
            return
        if results[0].seq <= self._queued_to:
            results = [r for r in results if r.seq > self._queued_to]
        if not catching_up and len(self._pending) + len(results) > self._max_backlog:
            self.detached = True
            log.critical(
                "sink %s is %d results behind: detached, it is caught up from the journal",
                self.name,
                len(self._pending) + len(results),
            )
            if self._on_detach is not None:
                self._on_detach(self)
            return
        self._pending.extend(results)
        self._queued_to = results[-1].seq
        self._idle.clear()
        self._wake.set()

    @property
    def queued_to(self) -> int:
        """The highest seq queued for (or delivered to) this sink."""
        return self._queued_to

    async def wait_room(self, backlog: int) -> None:
        """Wait until the backlog is below ``backlog`` results, failing or not (the
        journal catch-up's back-pressure: it may wait for a sink that is down)."""
        while len(self._pending) >= backlog:
            self._wake.set()
            await asyncio.sleep(0.01)  # yield to the delivery task and its retries

    async def wait_below(self, backlog: int) -> None:
        """Wait until the backlog is below ``backlog`` results, unless the sink is failing
        (then waiting could last forever: start-up goes on and the backlog grows)."""
        while len(self._pending) >= backlog and not self.failing:
            self._wake.set()
            await asyncio.sleep(0.001)  # yield to the delivery task (bounded by the backlog)

    async def drain(self, timeout: float) -> bool:  # noqa: ASYNC109 - a bound on stop()
        """Wait until everything queued is delivered; False after ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self._max_batch]
                await self._deliver(batch)
                del self._pending[: len(batch)]
            self._idle.set()

    async def _deliver(self, batch: list[CommandResult]) -> None:
        delay = self._backoff_initial
        while True:
            try:
                await self.sink.handle(batch)
            except Exception:
                self.failures += 1
                if not self.failing:
                    log.exception("sink %s failed at seq %d; retrying", self.name, batch[0].seq)
                self.failing = True
                await asyncio.sleep(delay)  # backoff before retrying a failed sink
                delay = min(delay * 2, self._backoff_max)
                continue
            if self.failing:
                log.warning("sink %s recovered after %d failures", self.name, self.failures)
            self.failing = False
            self.delivered = batch[-1].seq
            return
