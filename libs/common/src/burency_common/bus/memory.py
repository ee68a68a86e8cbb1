"""``InMemoryBus``: the event bus of embedded mode, where every service runs in one process.

Delivery model
--------------
Like Kafka, a topic has ``partitions`` partitions; a key always maps to the same one (a
stable CRC-32 of the key). Within a group, partition ``p`` belongs to subscription
``p % len(subscriptions)``, so several subscriptions share the load while every key stays
with one of them. Each ``(topic, group, partition)`` slot is a chain of tasks: a
delivery starts only when the previous one on that slot finished. The chain is extended
synchronously inside :meth:`publish`, so concurrent publishes keep their call order.

``publish`` returns only once every group has handled (or dead-lettered) the message,
together with everything handlers published meanwhile (the *cascade*). That is what
makes the transactional outbox safe in one process: the relay marks a row sent only
after ``publish`` returned. A publish made *from inside a handler* joins the cascade of
the outer publish and returns at once instead of waiting; handlers therefore never wait
for each other, which rules out deadlocks (a handler publishing to its own key included).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from burency_common.bus._handling import (
    BusStoppedError,
    call_with_retry,
    parse_envelope,
)
from burency_common.bus.port import (
    DeadLetter,
    DeadLetterHandler,
    EventBus,
    Handler,
    RetryPolicy,
)
from burency_common.events import EventEnvelope, dead_letter_topic

__all__ = ["InMemoryBus"]

_log = logging.getLogger("burency_common.bus.memory")

_Slot = tuple[str, str, int]  # (topic, group, partition)
# Dead-letter handlers get this policy; a dead letter that still fails is logged and kept.
_DEAD_LETTER_RETRY = RetryPolicy(max_attempts=3, initial_backoff=0.01, max_backoff=0.1)


@dataclass
class _Cascade:
    """The deliveries one top-level publish waits for, nested publishes included."""

    pending: set[asyncio.Task[None]] = field(default_factory=set)
    errors: list[BaseException] = field(default_factory=list)
    open: bool = True

    def track(self, task: asyncio.Task[None]) -> None:
        self.pending.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.pending.discard(task)
        if task.cancelled():  # by stop(): the message was not handled, the publisher must know
            self.errors.append(BusStoppedError("InMemoryBus stopped while handling the message"))
        elif (exc := task.exception()) is not None:
            self.errors.append(exc)

    async def drain(self) -> None:
        try:
            while self.pending:
                await asyncio.wait(set(self.pending))
        finally:
            self.open = False
        if self.errors:
            raise self.errors[0]


_cascade: contextvars.ContextVar[_Cascade | None] = contextvars.ContextVar(
    "burency_bus_cascade", default=None
)


@dataclass(frozen=True)
class _Subscription:
    handler: Handler
    retry: RetryPolicy


class InMemoryBus(EventBus):
    """In-process bus with Kafka's semantics (groups, per-key order, retries, DLQ).

    Dead letters go to the ``subscribe_dead_letters`` handlers of their topic and are
    also kept in :attr:`dead_letters` (the last ``keep_dead_letters``), so that none is
    lost silently when nobody subscribed.
    """

    def __init__(
        self, *, partitions: int = 8, keep_dead_letters: int = 1000, stop_timeout: float = 30.0
    ) -> None:
        if partitions < 1:
            raise ValueError("partitions must be >= 1")
        self._partitions = partitions
        self._stop_timeout = stop_timeout
        self._groups: dict[str, dict[str, list[_Subscription]]] = {}
        self._dead_groups: dict[str, dict[str, list[DeadLetterHandler]]] = {}
        self._tails: dict[_Slot, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._started = False
        self._stopping = asyncio.Event()
        self.dead_letters: deque[DeadLetter] = deque(maxlen=keep_dead_letters)

    # -- registration -------------------------------------------------------------------

    def subscribe(
        self, topic: str, *, group: str, handler: Handler, retry: RetryPolicy | None = None
    ) -> None:
        self._require_not_started("subscribe")
        members = self._groups.setdefault(topic, {}).setdefault(group, [])
        members.append(_Subscription(handler, retry or RetryPolicy()))

    def may_reach_anyone(self, topic: str) -> bool:
        """Known once started (subscriptions close then); before that, anyone might."""
        return not self._started or bool(self._groups.get(topic))

    def subscribe_dead_letters(self, topic: str, *, group: str, handler: DeadLetterHandler) -> None:
        self._require_not_started("subscribe_dead_letters")
        dlq = dead_letter_topic(topic)
        self._dead_groups.setdefault(dlq, {}).setdefault(group, []).append(handler)

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = asyncio.Event()
        self._started = True

    async def stop(self) -> None:
        """Let running handlers finish (up to ``stop_timeout`` s, then cancel them).

        Pending retries and queued deliveries are abandoned: their ``publish`` raises
        :class:`BusStoppedError`, so an outbox relay leaves those rows unsent.
        """
        if not self._started:
            return
        self._started = False
        self._stopping.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._stop_timeout
        while self._running:
            _, pending = await asyncio.wait(set(self._running), timeout=deadline - loop.time())
            if pending and loop.time() >= deadline:
                _log.warning("cancelling %d handler(s) still running at stop", len(pending))
                for task in pending:
                    task.cancel()
                await asyncio.wait(pending)

    async def ping(self) -> bool:
        return self._started

    # -- publishing ---------------------------------------------------------------------

    async def publish(self, envelope: EventEnvelope, *, topic: str | None = None) -> None:
        self._require_started()
        await self._dispatch(topic or envelope.type, envelope.key, envelope.to_bytes())

    async def publish_raw(self, topic: str, raw: bytes, *, key: str = "") -> None:
        """Publish bytes as they are (tests use it to inject malformed messages)."""
        self._require_started()
        await self._dispatch(topic, key, raw)

    def partition_for(self, key: str) -> int:
        """The partition of ``key``: stable across processes and restarts."""
        return zlib.crc32(key.encode()) % self._partitions

    async def _dispatch(self, topic: str, key: str, raw: bytes) -> None:
        p = self.partition_for(key)
        work = [
            (group, partial(self._deliver, topic, key, members[p % len(members)], raw))
            for group, members in self._groups.get(topic, {}).items()
        ]
        await self._enqueue_all(topic, p, work)

    async def _enqueue_all(
        self, topic: str, partition: int, work: Sequence[tuple[str, Callable[[], Awaitable[None]]]]
    ) -> None:
        """Queue ``work`` per group slot; wait for the cascade unless called from a handler."""
        outer = _cascade.get()
        nested = outer is not None and outer.open
        cascade = outer if outer is not None and nested else _Cascade()
        token = _cascade.set(cascade)
        try:  # tasks copy the context now: their nested publishes join ``cascade``
            for group, run in work:
                cascade.track(self._enqueue((topic, group, partition), run))
        finally:
            _cascade.reset(token)
        if not nested:
            await cascade.drain()

    def _enqueue(self, slot: _Slot, run: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        task = asyncio.create_task(self._after(self._tails.get(slot), run))
        self._tails[slot] = task
        self._running.add(task)
        task.add_done_callback(partial(self._finished, slot))
        return task

    def _finished(self, slot: _Slot, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._tails.get(slot) is task:
            del self._tails[slot]

    async def _after(
        self, previous: asyncio.Task[None] | None, run: Callable[[], Awaitable[None]]
    ) -> None:
        if previous is not None:
            await asyncio.wait({previous})  # ordering only: its failure is its publisher's
        if self._stopping.is_set():
            raise BusStoppedError("InMemoryBus stopped before the message was delivered")
        await run()

    # -- handling -----------------------------------------------------------------------

    async def _deliver(self, topic: str, key: str, subscription: _Subscription, raw: bytes) -> None:
        parsed = parse_envelope(raw)
        if isinstance(parsed, str):
            _log.error("dead-lettering a malformed message on %s: %s", topic, parsed)
            await self._dead_letter(DeadLetter(topic, raw, parsed, 0, None), key=key)
            return
        outcome = await call_with_retry(
            subscription.handler,
            parsed,
            subscription.retry,
            describe=f"{topic} event {parsed.id}",
            abort=self._stopping,
        )
        if outcome is None:
            raise BusStoppedError(f"bus stopped before {topic} event {parsed.id} was handled")
        if not outcome.handled:
            letter = DeadLetter(topic, raw, outcome.reason, outcome.attempts, parsed)
            await self._dead_letter(letter, key=key)

    async def _dead_letter(self, letter: DeadLetter, *, key: str) -> None:
        self.dead_letters.append(letter)
        dlq = dead_letter_topic(letter.original_topic)
        p = self.partition_for(key)
        work = [
            (group, partial(self._deliver_dead_letter, dlq, members[p % len(members)], letter))
            for group, members in self._dead_groups.get(dlq, {}).items()
        ]
        await self._enqueue_all(dlq, p, work)

    async def _deliver_dead_letter(
        self, dlq: str, handler: DeadLetterHandler, letter: DeadLetter
    ) -> None:
        event_id = letter.envelope.id if letter.envelope else "(malformed)"
        await call_with_retry(
            handler, letter, _DEAD_LETTER_RETRY, describe=f"{dlq} dead letter {event_id}"
        )

    # -- guards -------------------------------------------------------------------------

    def _require_started(self) -> None:
        if not self._started:
            raise BusStoppedError("InMemoryBus is not started")

    def _require_not_started(self, what: str) -> None:
        if self._started:
            raise RuntimeError(f"{what}() must be called before start()")
