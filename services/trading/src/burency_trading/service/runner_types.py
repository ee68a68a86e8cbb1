"""What the engine runner shows its callers: errors, health, and the engine it drives."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from burency_common.errors import BurencyError, ServiceUnavailable
from burency_trading.domain.model import Command, Event

__all__ = [
    "CommandFailed",
    "CompactableJournal",
    "EngineBusy",
    "RecoveryError",
    "RunnableEngine",
    "RunnerFailed",
    "RunnerHealth",
    "RunnerStopped",
]


class RunnableEngine(Protocol):
    """The part of ``domain.engine.Engine`` the runner needs."""

    def apply(self, command: Command, *, seq: int, ts: int) -> Sequence[Event]: ...

    def snapshot(self) -> bytes: ...

    def state_hash(self) -> str: ...


@runtime_checkable
class CompactableJournal(Protocol):
    """A journal that can drop records older than every snapshot still needed
    (``FileJournal``); the runner compacts only journals that have these."""

    def compact(self, below: int) -> int: ...

    def first_seq(self) -> int: ...


class EngineBusy(ServiceUnavailable):
    """The engine's bounded queue is full: 503 ``ENGINE_BUSY`` with ``Retry-After``.

    ``retry_after`` is the estimated seconds until there is room (a float; the header
    carries it rounded up to whole seconds, at least 1)."""

    default_code = "ENGINE_BUSY"
    title = "The matching engine is busy"

    def __init__(self, retry_after: float, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail or "the engine's queue is full; retry later", **kwargs)
        self.retry_after = retry_after
        self.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))


class RunnerStopped(ServiceUnavailable):
    """The runner is not running (not started yet, or stopping): 503."""

    default_code = "ENGINE_UNAVAILABLE"
    title = "The matching engine is not running"


class RunnerFailed(ServiceUnavailable):
    """The journal failed (a write or fsync error): the engine stopped taking commands
    and must be restarted (recovery replays the durable journal)."""

    default_code = "ENGINE_FAILED"
    title = "The matching engine stopped after a journal failure"


class CommandFailed(BurencyError):
    """``Engine.apply`` raised for this command (an engine bug). The command is journaled
    all the same, so replay raises at the same point and the state hash still matches."""

    default_code = "ENGINE_COMMAND_FAILED"
    title = "The engine could not apply the command"

    def __init__(self, seq: int) -> None:
        super().__init__(f"the engine failed on command seq {seq}")
        self.seq = seq


class RecoveryError(BurencyError):
    """Start-up cannot rebuild the engine: no usable snapshot and the journal no longer
    starts at seq 1, a snapshot or sink ahead of the journal, or a replay that ends short."""

    default_code = "ENGINE_RECOVERY_FAILED"
    title = "The matching engine could not recover its state"


@dataclass(frozen=True, slots=True)
class RunnerHealth:
    """The engine's health for the admin API and probes.

    ``seq``: last command applied; ``durable_seq``: last command fsynced (acknowledged);
    ``snapshot_seq``: newest snapshot on disk (0: none); ``snapshot_age_seconds``: since
    that snapshot was written by this process, or since start for one loaded at start-up
    (None: no snapshot); ``sinks``: name -> last seq delivered; ``sink_lag``: durable seq
    minus the slowest sink's; ``state``: starting / running / stopping / stopped / failed;
    ``detached_sinks``: sinks more than ``sink_backlog`` results behind, fed from the
    journal until they reach the live stream.
    """

    seq: int
    durable_seq: int
    snapshot_seq: int
    snapshot_age_seconds: float | None
    queue_depth: int
    queue_capacity: int
    sinks: dict[str, int] = field(default_factory=dict)
    sink_lag: int = 0
    state: str = "stopped"
    detached_sinks: tuple[str, ...] = ()  # too far behind: being caught up from the journal
