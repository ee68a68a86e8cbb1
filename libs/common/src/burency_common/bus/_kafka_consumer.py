"""One Kafka consumer running one subscription: poll, handle in order, commit, survive.

Guarantees
----------
- Records of a partition are processed one at a time, in offset order (per-key order,
  since a key always maps to one partition).
- The offset of a record (``offset + 1``) is committed only once ``process`` reported it
  done: handled, or dead-lettered. Anything else leaves it uncommitted, so it is
  delivered again (at least once).
- Rebalance: ``on_partitions_revoked`` waits for the in-flight record (its commit
  included) under the processing lock and bumps a generation counter, so the rest of a
  batch fetched before the rebalance is dropped rather than processed by a consumer that
  no longer owns the partition. Pending retry backoffs are interrupted (``abort``).
- No single record can crash the loop: unexpected errors rewind to that record and
  retry it after a pause.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import ConsumerRebalanceListener, ConsumerStoppedError
from aiokafka.errors import KafkaError

__all__ = ["ConsumerWorker", "Process"]

_log = logging.getLogger("burency_common.bus.kafka")

#: Handles one record; True when it is done (commit it), False to leave it uncommitted.
Process = Callable[[Any, asyncio.Event], Awaitable[bool]]


class _Step(enum.Enum):
    NEXT = "next"  # committed: go on with the partition's next record
    HALT = "halt"  # revoked, stopping or aborted: drop the rest of this batch
    PAUSE = "pause"  # unexpected error: rewound; wait a little before polling again


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka is untyped
    def __init__(self, worker: ConsumerWorker) -> None:
        self._worker = worker

    async def on_partitions_revoked(self, revoked: set[Any]) -> None:
        await self._worker.revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[Any]) -> None:
        self._worker.assigned_to(assigned)


class ConsumerWorker:
    """Drives one started ``AIOKafkaConsumer`` subscribed to one topic."""

    def __init__(
        self,
        consumer: Any,
        *,
        topic: str,
        name: str,
        process: Process,
        poll_timeout_ms: int = 500,
        max_records: int = 100,
        error_pause: float = 0.5,
    ) -> None:
        self._consumer = consumer
        self.topic = topic
        self.name = name
        self._process = process
        self._poll_timeout_ms = poll_timeout_ms
        self._max_records = max_records
        self._error_pause = error_pause
        self._lock = asyncio.Lock()
        self._generation = 0
        self._abort = asyncio.Event()
        self._stopping = False
        self._busy = False
        self._task: asyncio.Task[None] | None = None
        #: Set while the consumer holds a settled assignment (possibly empty).
        self.assigned = asyncio.Event()
        self.partitions: frozenset[Any] = frozenset()

    async def start(self) -> None:
        """Connect, subscribe and start polling; joining the group continues in the background."""
        await self._consumer.start()
        self._consumer.subscribe([self.topic], listener=_Listener(self))
        self._task = asyncio.create_task(self._run(), name=f"bus-consumer-{self.name}")

    async def stop(self, grace: float) -> None:
        """Finish the in-flight record (up to ``grace`` s), then leave the group."""
        self._stopping = True
        self._abort.set()
        task = self._task
        if task is not None:
            if not self._busy:
                task.cancel()  # idle in poll or pause: nothing to finish
            done, _ = await asyncio.wait({task}, timeout=grace)
            if not done:
                _log.warning("%s: handler still running after %ss, cancelling it", self.name, grace)
                task.cancel()
                await asyncio.wait({task})
        await self._consumer.stop()

    # -- rebalance callbacks (run by aiokafka's coordinator task) ---------------------------

    async def revoked(self, revoked: set[Any]) -> None:
        self.assigned.clear()
        self._generation += 1  # records fetched before this point are no longer ours
        self._abort.set()
        async with self._lock:  # the in-flight record finishes and commits first
            pass
        if not self._stopping:
            self._abort = asyncio.Event()
        if revoked:
            _log.info("%s: partitions revoked: %s", self.name, sorted(str(tp) for tp in revoked))

    def assigned_to(self, assigned: set[Any]) -> None:
        self.partitions = frozenset(assigned)
        self.assigned.set()
        _log.info("%s: partitions assigned: %s", self.name, sorted(str(tp) for tp in assigned))

    # -- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            try:
                batch = await self._consumer.getmany(
                    timeout_ms=self._poll_timeout_ms, max_records=self._max_records
                )
            except ConsumerStoppedError:
                return
            except KafkaError as exc:
                _log.warning("%s: poll failed: %r", self.name, exc)
                await asyncio.sleep(self._error_pause)
                continue
            self._busy = True
            try:
                step = await self._process_batch(batch)
            finally:
                self._busy = False
            if step is _Step.PAUSE:
                await asyncio.sleep(self._error_pause)

    async def _process_batch(self, batch: dict[Any, list[Any]]) -> _Step:
        generation = self._generation
        result = _Step.NEXT
        for tp, records in batch.items():
            for record in records:
                step = await self._process_one(tp, record, generation)
                if step is not _Step.NEXT:
                    if step is _Step.PAUSE:
                        result = step
                    break
        return result

    async def _process_one(self, tp: Any, record: Any, generation: int) -> _Step:
        async with self._lock:
            if self._stopping or generation != self._generation:
                return _Step.HALT
            try:
                done = await self._process(record, self._abort)
            except Exception:
                _log.exception("%s: failed on %s@%d, will retry it", self.name, tp, record.offset)
                self._rewind(tp, record.offset, generation)
                return _Step.PAUSE
            if not done:
                self._rewind(tp, record.offset, generation)
                return _Step.HALT
            await self._commit(tp, record.offset + 1)
            return _Step.NEXT

    def _rewind(self, tp: Any, offset: int, generation: int) -> None:
        """Fetch ``offset`` again next time (if the partition is still ours)."""
        if self._stopping or generation != self._generation:
            return  # the next owner starts from the committed offset anyway
        try:
            self._consumer.seek(tp, offset)
        except (KafkaError, AssertionError) as exc:
            _log.warning("%s: could not rewind %s to %d: %r", self.name, tp, offset, exc)

    async def _commit(self, tp: Any, offset: int) -> None:
        try:
            await self._consumer.commit({tp: offset})
        except KafkaError as exc:
            # Typically CommitFailedError after the group rebalanced: the new owner of the
            # partition will see the record again, which idempotent handlers tolerate.
            _log.warning("%s: commit of %s@%d failed: %r", self.name, tp, offset, exc)
