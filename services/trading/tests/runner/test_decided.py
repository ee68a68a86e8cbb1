"""``submit_decided``: a read and a write in one engine round trip (a cancel looks its
order up and cancels it), decided on the state every earlier command left, answered
only once durable."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest

from burency_testing.waiting import eventually
from burency_trading.adapters.journal import FileJournal
from burency_trading.adapters.snapshots import FileSnapshotStore
from burency_trading.domain.model import Command, Event, TransferIn
from burency_trading.service.runner import EngineRunner

from .standin import StandInEngine, transfer
from .test_runner import _queued, held_at_first_command, make_runner

Decision = Callable[[StandInEngine], tuple[int, Command | None]]


def _decide_at(expected_seq: int, n: int) -> Decision:
    """Applies ``transfer(n)`` only if the engine is at ``expected_seq``; gives the seq seen."""

    def decide(engine: StandInEngine) -> tuple[int, Command | None]:
        seen = engine.last_seq
        return seen, transfer(n) if seen == expected_seq else None

    return decide


async def test_a_decision_sees_the_commands_before_it_in_its_batch(tmp_path: Path) -> None:
    runner, gate, first = await held_at_first_command(tmp_path, batch_max=100)
    before = asyncio.ensure_future(runner.submit(transfer(1)))
    decided = asyncio.ensure_future(runner.submit_decided(_decide_at(2, 50)))
    declined = asyncio.ensure_future(runner.submit_decided(_decide_at(99, 51)))
    after = asyncio.ensure_future(runner.submit(transfer(2)))
    await eventually(lambda: _queued(runner, 4), "the four requests to enqueue")
    gate.open()
    assert (await first).seq == 1
    assert (await before).seq == 2
    seen, result = await decided
    assert seen == 2
    assert result is not None
    assert result.seq == 3
    assert result.command == transfer(50)
    assert await declined == (3, None), "no command: no seq taken"
    assert (await after).seq == 4
    assert runner.health().queue_depth == 0
    await runner.stop()


class HoldingEngine(StandInEngine):
    """Holds the engine thread in ``apply`` of the transfers named in ``holds``."""

    def __init__(self, holds: dict[str, threading.Event]) -> None:
        super().__init__()
        self.holds = holds
        self.reached: set[str] = set()

    def apply(self, command: Command, *, seq: int, ts: int) -> Sequence[Event]:
        if isinstance(command, TransferIn) and command.transfer_id in self.holds:
            self.reached.add(command.transfer_id)
            self.holds[command.transfer_id].wait(30)
        return super().apply(command, seq=seq, ts=ts)


async def test_a_decision_is_answered_only_once_its_batch_is_durable(tmp_path: Path) -> None:
    holds = {"t0": threading.Event(), "t1": threading.Event()}
    engine = HoldingEngine(holds)
    runner = EngineRunner(
        engine_factory=lambda: engine,
        engine_restore=StandInEngine.restore,
        journal=FileJournal(tmp_path / "j"),
        snapshots=FileSnapshotStore(tmp_path / "s"),
    )
    await runner.start()
    first = asyncio.ensure_future(runner.submit(transfer(0)))
    await eventually(_reached(engine, "t0"), "the engine thread to hold t0")
    decided = asyncio.ensure_future(runner.submit_decided(_decide_at(99, 7)))  # no command
    later = asyncio.ensure_future(runner.submit(transfer(1)))  # its batch: held in apply
    await eventually(lambda: _queued(runner, 2), "the two requests to enqueue")
    holds["t0"].set()
    await eventually(_reached(engine, "t1"), "the engine thread to hold t1")
    assert (await first).seq == 1
    assert not decided.done(), "a read is answered with its batch, once that is durable"
    holds["t1"].set()
    assert await decided == (1, None)
    assert (await later).seq == 2
    await runner.stop()


def _reached(engine: HoldingEngine, transfer_id: str) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        return transfer_id in engine.reached

    return probe


async def test_a_failing_decision_fails_alone(tmp_path: Path) -> None:
    runner = make_runner(tmp_path)
    await runner.start()

    def broken(engine: StandInEngine) -> tuple[int, None]:
        raise LookupError("a bug in the decision")

    with pytest.raises(LookupError):
        await runner.submit_decided(broken)
    assert (await runner.submit(transfer(1))).seq == 1
    assert runner.health().queue_depth == 0
    await runner.stop()
