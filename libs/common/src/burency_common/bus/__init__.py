"""The event bus: the :class:`EventBus` port and its two adapters.

- :class:`InMemoryBus` for embedded mode (one process, no broker);
- :class:`KafkaBus` for distributed mode. It is imported lazily (on first attribute
  access), so embedded mode never loads aiokafka, and nothing connects at import time.

Both pass one contract suite: ``burency_testing.bus_contract``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from burency_common.bus._handling import BusStoppedError
from burency_common.bus.memory import InMemoryBus
from burency_common.bus.port import DeadLetter, DeadLetterHandler, EventBus, Handler, RetryPolicy

if TYPE_CHECKING:
    from burency_common.bus.kafka import KafkaBus, KafkaConsumerSettings

__all__ = [
    "BusStoppedError",
    "DeadLetter",
    "DeadLetterHandler",
    "EventBus",
    "Handler",
    "InMemoryBus",
    "KafkaBus",
    "KafkaConsumerSettings",
    "RetryPolicy",
]

_LAZY = {"KafkaBus", "KafkaConsumerSettings"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from burency_common.bus import kafka  # noqa: PLC0415 - keeps aiokafka optional

        return getattr(kafka, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
