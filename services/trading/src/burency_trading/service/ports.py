"""The contracts between the engine runner and what surrounds it.

The runner (``service/runner.py``) owns the engine on its own thread: it takes commands
from a bounded queue, gives each the next sequence number and a timestamp, applies a
batch, appends the batch to the :class:`Journal` with one fsync (group commit), and only
then acknowledges the commands and hands their results to the :class:`EventSink` s (the
SQL projection, which also feeds the outbox). A sink that fell behind (or a restart) is
caught up from the journal: the runner replays from a snapshot at or before the sink's
``last_seq`` and hands it the results it has not seen, so every sink is idempotent by
``seq``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from burency_trading.domain.model import Command, Event

__all__ = [
    "CommandResult",
    "EventSink",
    "Journal",
    "JournalRecord",
    "SnapshotStore",
]


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """One journaled command: what replay feeds back into ``Engine.apply``."""

    seq: int
    ts: int  # microseconds since the epoch, given to the engine with the command
    command: Command


@dataclass(frozen=True, slots=True)
class CommandResult:
    """A command after it was applied and journaled: its events, in order."""

    seq: int
    ts: int
    command: Command
    events: Sequence[Event]


class Journal(Protocol):
    """An append-only, durable log of commands (seq strictly increasing, no gaps)."""

    def append(self, records: Sequence[JournalRecord]) -> None:
        """Write a batch; durable (fsynced) when this returns."""

    def read_from(self, seq: int) -> Iterator[JournalRecord]:
        """Every record with ``record.seq >= seq``, in order."""

    def last_seq(self) -> int:
        """The highest durable seq (0 when empty)."""

    def close(self) -> None: ...


class SnapshotStore(Protocol):
    """Engine snapshots (``Engine.snapshot()`` bytes) by the seq they include."""

    def save(self, seq: int, data: bytes) -> None:
        """Durably store a snapshot taken after applying ``seq``."""

    def latest(self, at_most: int | None = None) -> tuple[int, bytes] | None:
        """The newest snapshot with seq <= ``at_most`` (any when None), or None."""

    def seqs(self) -> list[int]: ...


class EventSink(Protocol):
    """A consumer of the engine's results (runs on the asyncio loop, never on the engine
    thread). ``handle`` must be idempotent by ``seq``: after a crash it may see a result
    again; ``last_seq`` is the highest seq it has durably handled."""

    name: str

    async def last_seq(self) -> int: ...

    async def handle(self, results: Sequence[CommandResult]) -> None: ...
