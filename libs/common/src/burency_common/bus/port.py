"""The ``EventBus`` port: what every service needs from a message bus, and nothing more.

Two adapters implement it and pass one contract suite
(``burency_testing.bus_contract``): :class:`~burency_common.bus.memory.InMemoryBus`
for embedded mode and :class:`~burency_common.bus.kafka.KafkaBus` for distributed mode.

Delivery is at least once. Handlers must therefore be idempotent, which services get
for free by recording ``envelope.id`` in their inbox in the same transaction as the
effect (``burency_common.outbox``).
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from burency_common.events import EventEnvelope

__all__ = ["DeadLetter", "DeadLetterHandler", "EventBus", "Handler", "RetryPolicy"]

Handler = Callable[[EventEnvelope], Awaitable[None]]


@dataclass(frozen=True)
class DeadLetter:
    """A message that could not be handled: kept with the reason, never silently dropped."""

    original_topic: str
    raw: bytes
    reason: str
    attempts: int
    envelope: EventEnvelope | None


DeadLetterHandler = Callable[[DeadLetter], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing handler is retried before dead-lettering."""

    max_attempts: int = 5
    initial_backoff: float = 0.05
    max_backoff: float = 2.0
    multiplier: float = 2.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed ``attempt`` (1-based): exponential, full jitter."""
        ceiling = min(self.max_backoff, self.initial_backoff * self.multiplier ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto


class EventBus(ABC):
    """Publish envelopes to topics and run handlers for subscribed topics."""

    @abstractmethod
    def subscribe(
        self, topic: str, *, group: str, handler: Handler, retry: RetryPolicy | None = None
    ) -> None:
        """Register ``handler`` for ``topic`` in consumer ``group`` (call before :meth:`start`).

        Every group receives every message once; within a group, the messages of one key
        go to one handler in order. A handler that raises is retried per ``retry``; then
        the message goes to ``<topic>.DLQ`` with the reason.
        """

    @abstractmethod
    def subscribe_dead_letters(self, topic: str, *, group: str, handler: DeadLetterHandler) -> None:
        """Register ``handler`` for the dead letters of ``topic`` (call before :meth:`start`)."""

    @abstractmethod
    async def publish(self, envelope: EventEnvelope, *, topic: str | None = None) -> None:
        """Publish ``envelope`` to ``topic`` (default ``envelope.type``), keyed by ``envelope.key``.

        Returns only once the message is durable: acknowledged by all in-sync Kafka
        replicas, or, in memory, handled (or dead-lettered) by every subscribed group.
        """

    def may_reach_anyone(self, topic: str) -> bool:
        """Whether a message on ``topic`` could reach a subscriber. A bus whose consumers
        may live in other processes (Kafka) cannot know and says True; an in-process bus
        that has started knows every subscriber it will ever have."""
        del topic
        return True

    @abstractmethod
    async def start(self) -> None:
        """Connect and start consuming."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop consuming (letting in-flight handlers finish) and disconnect."""

    @abstractmethod
    async def ping(self) -> bool:
        """True when the bus can currently accept publishes (used by ``/readyz``)."""
