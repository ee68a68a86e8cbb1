"""``KafkaBus``: the event bus of distributed mode, on Apache Kafka through aiokafka.

- Producer: idempotent, ``acks="all"``; key = ``envelope.key``, value = envelope bytes,
  headers ``event-type`` and ``event-id``. ``publish`` returns once the broker acked.
- Consumers: one ``AIOKafkaConsumer`` per subscription (``group_id=group``, manual
  commits, ``auto_offset_reset="earliest"``); see :mod:`burency_common.bus._kafka_consumer`
  for ordering, commit and rebalance rules.
- Dead letters: ``<topic>.DLQ``, value = the original bytes, headers ``dlq-reason``,
  ``dlq-original-topic``, ``dlq-attempts`` (plus the original headers).
- :meth:`KafkaBus.start` creates missing topics and their DLQs first, so consumers never
  race the broker's topic auto-creation. It does **not** wait for group joins (a join
  can take the broker's ``group.initial.rebalance.delay.ms``, and a service can publish
  meanwhile: with ``earliest`` a new group still gets every message). Call
  :meth:`KafkaBus.wait_until_assigned` when the partition split matters (tests).
- Namespaces: with ``topic_prefix`` (``BURENCY_KAFKA_TOPIC_PREFIX``, e.g. ``staging.``)
  every topic name on the broker is prefixed, so environments (or test runs) can share a
  cluster without reading each other's events; consumer group ids get the same prefix, so
  they do not share (and rebalance) groups either. Services and handlers only ever see
  the logical names: envelopes, subscriptions and ``dlq-original-topic`` are unprefixed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from burency_common.bus._handling import BusStoppedError, call_with_retry, parse_envelope
from burency_common.bus._kafka_consumer import ConsumerWorker, Process
from burency_common.bus.port import DeadLetter, DeadLetterHandler, EventBus, Handler, RetryPolicy
from burency_common.events import EventEnvelope, dead_letter_topic

__all__ = ["KafkaBus", "KafkaConsumerSettings", "dead_letter_from_record"]

_log = logging.getLogger("burency_common.bus.kafka")
_DEAD_LETTER_RETRY = RetryPolicy(max_attempts=3, initial_backoff=0.05, max_backoff=0.5)
_DLQ_HEADERS = ("dlq-reason", "dlq-original-topic", "dlq-attempts")
_DLQ_SUFFIX = dead_letter_topic("")


@dataclass(frozen=True)
class KafkaConsumerSettings:
    """Group membership and fetch tuning; the defaults suit production, tests go faster."""

    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000
    max_poll_interval_ms: int = 300_000
    fetch_max_wait_ms: int = 500
    retry_backoff_ms: int = 100
    poll_timeout_ms: int = 500
    max_poll_records: int = 100
    instance_id: str | None = None
    """Static group membership (KIP-345): a name stable across this process's restarts
    and unique among the live instances of its service (a StatefulSet pod's name). A
    process killed and restarted within the session timeout then takes its partitions
    back at once, instead of its group waiting out the dead member's session. The price:
    a static member does not leave its group when it stops, so a process that stops for
    good hands its partitions over only when its session times out."""

    def consumer_kwargs(self) -> dict[str, Any]:
        return {
            "session_timeout_ms": self.session_timeout_ms,
            "heartbeat_interval_ms": self.heartbeat_interval_ms,
            "max_poll_interval_ms": self.max_poll_interval_ms,
            "fetch_max_wait_ms": self.fetch_max_wait_ms,
            "retry_backoff_ms": self.retry_backoff_ms,
            "max_poll_records": self.max_poll_records,
        }


@dataclass(frozen=True)
class _Subscription:
    topic: str
    group: str
    handler: Handler | None = None
    retry: RetryPolicy | None = None
    dead_letter_handler: DeadLetterHandler | None = None


def dead_letter_from_record(record: Any) -> DeadLetter:
    """Rebuild the :class:`DeadLetter` a ``<topic>.DLQ`` record carries in its headers."""
    headers = {name: value.decode(errors="replace") for name, value in record.headers or ()}
    raw: bytes = record.value or b""
    parsed = parse_envelope(raw)
    try:
        attempts = int(headers.get("dlq-attempts", "0"))
    except ValueError:
        attempts = 0
    return DeadLetter(
        original_topic=headers.get("dlq-original-topic", record.topic.removesuffix(_DLQ_SUFFIX)),
        raw=raw,
        reason=headers.get("dlq-reason", "unknown"),
        attempts=attempts,
        envelope=parsed if isinstance(parsed, EventEnvelope) else None,
    )


def _cancelling() -> bool:
    """Whether the running task itself is being cancelled (not just what it awaited)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class KafkaBus(EventBus):
    """Kafka adapter of the :class:`EventBus` port (at-least-once, per-key order)."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str,
        topic_partitions: int = 3,
        replication_factor: int = 1,
        consumer_settings: KafkaConsumerSettings | None = None,
        request_timeout_ms: int = 30_000,
        stop_timeout: float = 30.0,
        ping_timeout: float = 2.0,
        topic_prefix: str = "",
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._client_id = client_id
        self._partitions = topic_partitions
        self._replication = replication_factor
        self._settings = consumer_settings or KafkaConsumerSettings()
        self._request_timeout_ms = request_timeout_ms
        self._stop_timeout = stop_timeout
        self._ping_timeout = ping_timeout
        self._subscriptions: list[_Subscription] = []
        self._producer: Any = None
        self._workers: list[ConsumerWorker] = []
        self._known_topics: set[str] = set()
        self._prefix = topic_prefix
        self._in_flight: set[asyncio.Future[Any]] = set()

    # -- registration -------------------------------------------------------------------

    def subscribe(
        self, topic: str, *, group: str, handler: Handler, retry: RetryPolicy | None = None
    ) -> None:
        self._require_not_started("subscribe")
        self._subscriptions.append(_Subscription(topic, group, handler, retry or RetryPolicy()))

    def subscribe_dead_letters(self, topic: str, *, group: str, handler: DeadLetterHandler) -> None:
        self._require_not_started("subscribe_dead_letters")
        dlq = dead_letter_topic(topic)
        self._subscriptions.append(_Subscription(dlq, group, dead_letter_handler=handler))

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Create missing topics, start the producer and every consumer (no join wait)."""
        self._require_not_started("start")
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap,
            client_id=self._client_id,
            enable_idempotence=True,
            acks="all",
            request_timeout_ms=self._request_timeout_ms,
        )
        self._producer = producer
        try:
            await producer.start()
            await self.ensure_topics(self._topics_to_create())
            self._workers = [self._worker(sub, n) for n, sub in enumerate(self._subscriptions)]
            results = await asyncio.gather(
                *(worker.start() for worker in self._workers), return_exceptions=True
            )
            if failed := [r for r in results if isinstance(r, BaseException)]:
                raise failed[0]
        except BaseException:
            await self.stop()  # closes whatever did start: nothing leaks on a failed start
            raise

    async def stop(self) -> None:
        """Let in-flight handlers finish (up to ``stop_timeout``), leave groups, disconnect."""
        workers, self._workers = self._workers, []
        results = await asyncio.gather(
            *(worker.stop(self._stop_timeout) for worker in workers), return_exceptions=True
        )
        for worker, result in zip(workers, results, strict=True):
            if isinstance(result, BaseException):
                _log.warning("%s: stopping failed: %r", worker.name, result)
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()  # flushes what it can
        for send in list(self._in_flight):  # never acknowledged: their callers must not wait
            send.cancel()

    async def ping(self) -> bool:
        """True when the producer can fetch cluster metadata within ``ping_timeout``."""
        producer = self._producer
        if producer is None:
            return False
        try:
            await asyncio.wait_for(producer.client.fetch_all_metadata(), self._ping_timeout)
        except Exception as exc:
            _log.warning("kafka ping failed: %r", exc)
            return False
        return True

    async def wait_until_assigned(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until every consumer has joined its group and holds a settled assignment.

        A consumer's "assigned" flag is cleared when a rebalance revokes its partitions
        and set again once the new assignment arrives, so "all set at once" means the
        group membership has settled. Raises ``TimeoutError`` naming the laggards.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while waiting := [w for w in self._workers if not w.assigned.is_set()]:
            remaining = deadline - loop.time()
            if remaining <= 0:
                names = ", ".join(w.name for w in waiting)
                raise TimeoutError(f"consumers not assigned within {timeout}s: {names}")
            waits = [asyncio.ensure_future(w.assigned.wait()) for w in waiting]
            try:
                await asyncio.wait(waits, timeout=remaining)
            finally:
                for wait in waits:
                    wait.cancel()

    def physical_topic(self, topic: str) -> str:
        """The broker's name of the logical ``topic`` (with the namespace prefix)."""
        return f"{self._prefix}{topic}"

    async def ensure_topics(self, topics: Iterable[str]) -> None:
        """Create the missing logical ``topics`` with ``topic_partitions`` partitions
        (idempotent)."""
        wanted = {self.physical_topic(t) for t in topics} - self._known_topics
        if not wanted:
            return
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self._bootstrap,
            client_id=f"{self._client_id}-admin",
            request_timeout_ms=self._request_timeout_ms,
        )
        try:
            await admin.start()
            missing = sorted(wanted - set(await admin.list_topics()))
            if missing:
                await self._create_topics(admin, missing)
        finally:
            await admin.close()
        self._known_topics |= wanted

    async def _create_topics(self, admin: Any, topics: list[str]) -> None:
        new = [NewTopic(t, self._partitions, self._replication) for t in topics]
        response = await admin.create_topics(new, timeout_ms=self._request_timeout_ms)
        for topic, code, *_ in response.topic_errors:
            if code not in (0, TopicAlreadyExistsError.errno):  # another process was faster
                raise for_code(code)(f"creating topic {topic!r} failed")
        _log.info("created topics %s (%d partitions)", topics, self._partitions)

    # -- publishing ---------------------------------------------------------------------

    async def publish(self, envelope: EventEnvelope, *, topic: str | None = None) -> None:
        """Returns once the broker acknowledged; raises :class:`BusStoppedError` when the
        bus is (or gets) stopped first, so an outbox relay keeps the row for later."""
        producer = self._require_producer()
        send = asyncio.ensure_future(
            producer.send_and_wait(
                self.physical_topic(topic or envelope.type),
                value=envelope.to_bytes(),
                key=envelope.key.encode(),
                headers=[
                    ("event-type", envelope.type.encode()),
                    ("event-id", envelope.id.encode()),
                ],
            )
        )
        self._in_flight.add(send)
        try:
            await asyncio.shield(send)
        except asyncio.CancelledError:
            if send.cancelled() and not _cancelling():
                raise BusStoppedError("KafkaBus stopped before the broker acknowledged") from None
            raise
        finally:
            self._in_flight.discard(send)

    async def _send_dead_letter(self, record: Any, reason: str, attempts: int) -> None:
        headers = [(k, v) for k, v in record.headers or () if k not in _DLQ_HEADERS]
        headers += [
            ("dlq-reason", reason.encode()),
            ("dlq-original-topic", record.topic.removeprefix(self._prefix).encode()),
            ("dlq-attempts", str(attempts).encode()),
        ]
        dlq = dead_letter_topic(record.topic)
        await self._require_producer().send_and_wait(
            dlq, value=record.value, key=record.key, headers=headers
        )
        _log.error("dead-lettered %s@%d to %s: %s", record.topic, record.offset, dlq, reason)

    # -- consuming ----------------------------------------------------------------------

    def _instance_id(self, sub: _Subscription) -> str | None:
        """One static member per consumer: the process's instance id and the topic (one
        consumer per topic and group in a process)."""
        instance = self._settings.instance_id
        return f"{instance}.{sub.topic}" if instance else None

    def _worker(self, sub: _Subscription, index: int) -> ConsumerWorker:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            client_id=f"{self._client_id}-{index}",
            group_id=self._prefix + sub.group,  # namespaced like the topics
            group_instance_id=self._instance_id(sub),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **self._settings.consumer_kwargs(),
        )
        return ConsumerWorker(
            consumer,
            topic=self.physical_topic(sub.topic),
            name=f"{self.physical_topic(sub.topic)}/{sub.group}#{index}",
            process=self._processor(sub),
            poll_timeout_ms=self._settings.poll_timeout_ms,
            max_records=self._settings.max_poll_records,
        )

    def _processor(self, sub: _Subscription) -> Process:
        if sub.dead_letter_handler is not None:
            on_dead_letter = sub.dead_letter_handler

            async def process_dead_letter(record: Any, abort: asyncio.Event) -> bool:
                letter = dead_letter_from_record(record)
                where = f"{record.topic}@{record.offset}"
                outcome = await call_with_retry(
                    on_dead_letter, letter, _DEAD_LETTER_RETRY, describe=where, abort=abort
                )
                return outcome is not None  # a dead letter whose handler fails is only logged

            return process_dead_letter
        handler, retry = sub.handler, sub.retry
        if handler is None or retry is None:  # pragma: no cover - subscribe() sets both
            raise ValueError(f"subscription to {sub.topic} has no handler")

        async def process_event(record: Any, abort: asyncio.Event) -> bool:
            parsed = parse_envelope(record.value)
            if isinstance(parsed, str):
                await self._send_dead_letter(record, parsed, attempts=0)
                return True
            where = f"{record.topic}@{record.offset} event {parsed.id}"
            outcome = await call_with_retry(handler, parsed, retry, describe=where, abort=abort)
            if outcome is None:
                return False
            if not outcome.handled:
                await self._send_dead_letter(record, outcome.reason, outcome.attempts)
            return True

        return process_event

    def _topics_to_create(self) -> set[str]:
        topics = {sub.topic for sub in self._subscriptions}
        return topics | {dead_letter_topic(t) for t in topics if not t.endswith(_DLQ_SUFFIX)}

    # -- guards -------------------------------------------------------------------------

    def _require_producer(self) -> Any:
        if self._producer is None:
            raise BusStoppedError("KafkaBus is not started")
        return self._producer

    def _require_not_started(self, what: str) -> None:
        if self._producer is not None:
            raise RuntimeError(f"{what}() must be called before start()")
