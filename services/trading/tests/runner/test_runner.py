"""EngineRunner with a stand-in engine: durability before acknowledgement, back-pressure,
group commit, recovery, sink catch-up and failing sinks, journal failure."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from burency_testing.waiting import eventually
from burency_trading.adapters.journal import FileJournal
from burency_trading.adapters.snapshots import FileSnapshotStore
from burency_trading.service.ports import EventSink
from burency_trading.service.runner import EngineRunner
from burency_trading.service.runner_types import (
    CommandFailed,
    EngineBusy,
    RecoveryError,
    RunnerFailed,
    RunnerStopped,
)

from .standin import CountingFsync, Gate, RecordingSink, StandInEngine, transfer


def make_runner(
    tmp_path: Path,
    *,
    gate: Gate | None = None,
    fsync: Callable[[int], None] | None = None,
    sinks: Sequence[EventSink] = (),
    fail: frozenset[str] = frozenset(),
    segment_bytes: int = 1 << 20,
    **kwargs: Any,
) -> EngineRunner[StandInEngine]:
    journal = (
        FileJournal(tmp_path / "j", segment_bytes=segment_bytes, fsync=fsync)
        if fsync
        else FileJournal(tmp_path / "j", segment_bytes=segment_bytes)
    )
    return EngineRunner(
        engine_factory=lambda: StandInEngine(gate, fail),
        engine_restore=StandInEngine.restore,
        journal=journal,
        snapshots=FileSnapshotStore(tmp_path / "s"),
        sinks=sinks,
        **kwargs,
    )


async def state_hash(runner: EngineRunner[StandInEngine]) -> str:
    return await runner.query(lambda engine: engine.state_hash())


async def held(gate: Gate) -> None:
    async def probe() -> bool:
        return gate.waiting.is_set()

    await eventually(probe, "the engine thread to reach the gate")


async def held_at_first_command(
    tmp_path: Path, **kwargs: Any
) -> tuple[EngineRunner[StandInEngine], Gate, asyncio.Future[Any]]:
    """A started runner whose engine thread is held inside its first command (``transfer(0)``,
    the returned future): what is submitted next queues up behind it, for one batch."""
    gate = Gate()
    runner = make_runner(tmp_path, gate=gate, **kwargs)
    await runner.start()
    gate.close()
    first = asyncio.ensure_future(runner.submit(transfer(0)))
    await held(gate)
    return runner, gate, first


async def test_a_result_comes_only_after_its_batch_is_fsynced(tmp_path: Path) -> None:
    fsync = CountingFsync()
    runner = make_runner(tmp_path, fsync=fsync)
    await runner.start()
    fsync.gate.close()
    pending = asyncio.ensure_future(runner.submit(transfer(1)))
    await held(fsync.gate)
    assert not pending.done()
    health = runner.health()
    assert (health.seq, health.durable_seq) == (1, 0)
    fsync.gate.open()
    result = await pending
    assert result.seq == 1
    assert runner.health().durable_seq == 1
    await runner.stop()


async def _queued(runner: Any, depth: int) -> bool:
    return bool(runner.health().queue_depth == depth)


async def _state_is(runner: Any, state: str) -> bool:
    return bool(runner.health().state == state)


async def test_queued_commands_share_one_fsync(tmp_path: Path) -> None:
    gate, fsync = Gate(), CountingFsync()
    runner = make_runner(tmp_path, gate=gate, fsync=fsync, batch_max=1_000)
    await runner.start()
    gate.close()
    first = asyncio.ensure_future(runner.submit(transfer(0)))
    await held(gate)
    rest = [asyncio.ensure_future(runner.submit(transfer(n))) for n in range(1, 101)]
    await eventually(lambda: _queued(runner, 100), "every submit to enqueue")
    gate.open()
    results = [await first, *[await task for task in rest]]
    assert [r.seq for r in results] == list(range(1, 102))
    assert fsync.calls == 3  # batch 1: file + directory; batch 2 (100 commands): one
    await runner.stop()


async def test_a_full_queue_is_engine_busy_at_once(tmp_path: Path) -> None:
    gate = Gate()
    runner = make_runner(tmp_path, gate=gate, queue_size=4, batch_max=1)
    await runner.start()
    gate.close()
    first = asyncio.ensure_future(runner.submit(transfer(0)))
    await held(gate)
    queued = [asyncio.ensure_future(runner.submit(transfer(n))) for n in range(1, 5)]
    await eventually(lambda: _queued(runner, 4), "the four submits to enqueue")
    with pytest.raises(EngineBusy) as busy:
        await runner.submit(transfer(99))
    assert busy.value.retry_after > 0
    assert busy.value.status == 503
    assert 1 <= int(busy.value.headers["Retry-After"]) <= 5
    with pytest.raises(EngineBusy):
        await runner.submit_many([transfer(98), transfer(97)])
    gate.open()
    assert [(await t).seq for t in [first, *queued]] == [1, 2, 3, 4, 5]
    assert len(await runner.submit_many([transfer(n) for n in range(200, 204)])) == 4
    await runner.stop()


async def test_stop_snapshots_and_a_new_runner_recovers_the_same_state(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, snapshot_every=70, batch_max=16)
    await runner.start()
    for chunk in range(10):
        await runner.submit_many([transfer(chunk * 100 + n) for n in range(50)])
    before = await state_hash(runner)
    await runner.stop()
    assert runner.health().snapshot_seq == 500  # the final snapshot
    again = make_runner(tmp_path)
    await again.start()
    assert await state_hash(again) == before
    assert again.health().seq == 500
    assert (await again.submit(transfer(9999))).seq == 501
    await again.stop()


async def test_recovery_replays_the_journal_after_an_older_snapshot(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, snapshot_every=100, batch_max=10)
    await runner.start()
    await runner.submit_many([transfer(n) for n in range(350)])
    before = await state_hash(runner)
    await runner.stop()
    snapshots = tmp_path / "s"
    for newest in sorted(snapshots.glob("*.snap"))[-2:]:  # leave only an older snapshot
        newest.unlink()
    again = make_runner(tmp_path)
    await again.start()
    assert await state_hash(again) == before
    await again.stop()


async def test_compaction_keeps_what_recovery_needs(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, snapshot_every=100, batch_max=10, segment_bytes=2_000)
    await runner.start()
    for chunk in range(20):
        await runner.submit_many([transfer(chunk * 100 + n) for n in range(50)])

    async def compacted() -> bool:
        return runner._journal.first_seq() > 1  # type: ignore[attr-defined]

    await eventually(compacted, "the journal to be compacted after a snapshot")
    before = await state_hash(runner)
    await runner.stop()
    oldest_snapshot = min(FileSnapshotStore(tmp_path / "s").seqs())
    journal = FileJournal(tmp_path / "j")
    assert 1 < journal.first_seq() <= oldest_snapshot + 1
    journal.close()
    again = make_runner(tmp_path, segment_bytes=2_000)
    await again.start()
    assert await state_hash(again) == before
    await again.stop()
    with pytest.raises(RecoveryError, match="journal starts at seq"):  # a sink too far behind
        await make_runner(tmp_path, segment_bytes=2_000, sinks=[RecordingSink(last=5)]).start()
    for snap in (tmp_path / "s").glob("*.snap"):
        snap.unlink()
    FileSnapshotStore(tmp_path / "s").save(5, StandInEngine().snapshot())  # older than the journal
    with pytest.raises(RecoveryError, match="journal starts at seq"):
        await make_runner(tmp_path, segment_bytes=2_000).start()


async def test_a_sink_behind_is_caught_up_from_the_journal(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, snapshot_every=40, batch_max=7)
    await runner.start()
    await runner.submit_many([transfer(n) for n in range(300)])
    await runner.stop()
    fresh = RecordingSink("fresh", last=0)
    middle = RecordingSink("middle", last=123)
    done = RecordingSink("done", last=300)
    again = make_runner(tmp_path, sinks=[fresh, middle, done])
    await again.start()

    async def caught_up() -> bool:
        return fresh.last == 300 and middle.last == 300

    await eventually(caught_up, "the lagging sinks to catch up")
    assert fresh.seen == list(range(1, 301))
    assert middle.seen == list(range(124, 301))
    assert done.seen == []
    await again.submit(transfer(1000))
    await eventually(caught_up_to(301, fresh, middle, done), "live delivery after catch-up")
    assert fresh.seen == list(range(1, 302))  # in order, nothing twice
    assert again.health().sinks == {"fresh": 301, "middle": 301, "done": 301}
    await again.stop()


def caught_up_to(seq: int, *sinks: RecordingSink) -> Callable[[], Any]:
    async def probe() -> bool:
        return all(sink.last == seq for sink in sinks)

    return probe


async def test_a_failing_sink_does_not_stop_matching(tmp_path: Path) -> None:
    flaky, down = RecordingSink("flaky"), RecordingSink("down")
    flaky.fail_times, down.fail_times = 3, 10**9
    runner = make_runner(tmp_path, sinks=[flaky, down], batch_max=5)
    await runner.start()
    results = await runner.submit_many([transfer(n) for n in range(50)])
    assert results[-1].seq == 50  # acknowledged while both sinks fail
    await eventually(caught_up_to(50, flaky), "the flaky sink to recover")
    assert flaky.seen == list(range(1, 51))
    health = runner.health()
    assert health.sinks["down"] == 0
    assert health.sink_lag == 50
    await runner.stop(sink_timeout=0.05)


async def test_a_command_the_engine_fails_on_is_journaled_and_replays_alike(
    tmp_path: Path,
) -> None:
    runner = make_runner(tmp_path, fail=frozenset({"t3"}))
    await runner.start()
    for n in range(3):
        await runner.submit(transfer(n))
    with pytest.raises(CommandFailed) as failed:
        await runner.submit(transfer(3))
    assert failed.value.seq == 4
    assert (await runner.submit(transfer(4))).seq == 5
    before = await state_hash(runner)
    await runner.stop()
    (next((tmp_path / "s").glob("*.snap"))).unlink()
    again = make_runner(tmp_path, fail=frozenset({"t3"}))
    await again.start()
    assert await state_hash(again) == before
    await again.stop()


async def test_a_journal_failure_fails_the_runner(tmp_path: Path) -> None:
    calls = 0

    def fsync_fails_later(fd: int) -> None:
        nonlocal calls
        calls += 1
        if calls > 2:
            raise OSError(28, "No space left on device")

    runner = make_runner(tmp_path, fsync=fsync_fails_later)
    await runner.start()
    assert (await runner.submit(transfer(1))).seq == 1
    with pytest.raises(RunnerFailed):
        await runner.submit(transfer(2))
    with pytest.raises(RunnerFailed):
        await runner.submit(transfer(3))
    assert runner.health().state == "failed"
    assert runner.health().durable_seq == 1
    await runner.stop()


async def test_queries_timestamps_and_lifecycle(tmp_path: Path) -> None:
    times = iter([500, 400, 600, 100])
    runner = make_runner(tmp_path, clock=lambda: next(times, 50))
    with pytest.raises(RunnerStopped):
        await runner.submit(transfer(0))
    await runner.start()
    stamps = [(await runner.submit(transfer(n))).ts for n in range(4)]
    assert stamps == [500, 500, 600, 600]  # never backwards
    assert await runner.query(lambda engine: engine.applied) == 4

    def broken(engine: StandInEngine) -> int:
        raise KeyError("nope")

    with pytest.raises(KeyError):
        await runner.query(broken)
    health = runner.health()
    assert (health.state, health.seq, health.queue_capacity) == ("running", 4, 10_000)
    await runner.stop()
    with pytest.raises(RunnerStopped):
        await runner.submit(transfer(9))
    assert runner.health().state == "stopped"


class SnapshotlessEngine(StandInEngine):
    def snapshot(self) -> bytes:
        raise OverflowError("an engine bug")


async def test_a_failing_engine_snapshot_does_not_stop_matching(tmp_path: Path) -> None:
    runner = EngineRunner(
        engine_factory=SnapshotlessEngine,
        engine_restore=StandInEngine.restore,
        journal=FileJournal(tmp_path / "j"),
        snapshots=FileSnapshotStore(tmp_path / "s"),
        snapshot_every=10,
        batch_max=5,
    )
    await runner.start()
    results = await runner.submit_many([transfer(n) for n in range(60)])
    assert results[-1].seq == 60
    assert runner.health().state == "running"
    await runner.stop()
    assert runner.health().snapshot_seq == 0


async def test_stop_finishes_what_was_queued_before_it(tmp_path: Path) -> None:
    runner, gate, first = await held_at_first_command(tmp_path, batch_max=2)
    queued = [asyncio.ensure_future(runner.submit(transfer(n))) for n in range(1, 9)]
    asked = asyncio.ensure_future(runner.query(lambda engine: engine.applied))
    await eventually(lambda: _queued(runner, 8), "the eight submits to enqueue")
    stopping = asyncio.ensure_future(runner.stop())
    await eventually(lambda: _state_is(runner, "stopping"), "stop() to begin")
    with pytest.raises(RunnerStopped):
        await runner.submit(transfer(99))
    gate.open()
    await stopping
    assert [(await t).seq for t in [first, *queued]] == list(range(1, 10))
    assert await asked >= 1
    assert runner.health().snapshot_seq == 9


async def test_a_sink_too_far_behind_is_caught_up_from_the_journal_live(tmp_path: Path) -> None:
    down = RecordingSink("down")
    down.fail_times = 10**9
    runner = make_runner(tmp_path, sinks=[down], batch_max=10, snapshot_every=30, sink_backlog=25)
    await runner.start()
    await runner.submit_many([transfer(n) for n in range(100)])
    assert runner.health().detached_sinks == ("down",)  # its backlog stopped at 25
    down.fail_times = 0
    await eventually(caught_up_to(100, down), "the journal catch-up")
    await eventually(attached(runner), "the sink to be attached again")
    await runner.submit_many([transfer(n) for n in range(100, 150)])
    await eventually(caught_up_to(150, down), "live delivery after the catch-up")
    assert down.seen == list(range(1, 151))  # in order, none twice, none missed
    await runner.stop()


async def test_a_failing_sink_far_behind_at_start_is_caught_up_after_it(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, snapshot_every=50, batch_max=10)
    await runner.start()
    await runner.submit_many([transfer(n) for n in range(200)])
    await runner.stop()
    down = RecordingSink("down")
    down.fail_times = 10**9
    again = make_runner(tmp_path, sinks=[down], sink_backlog=30)
    await again.start()  # does not wait for the failing sink
    assert again.health().detached_sinks == ("down",)
    assert (await again.submit(transfer(500))).seq == 201
    down.fail_times = 0
    await eventually(caught_up_to(201, down), "the sink to catch up")
    assert down.seen == list(range(1, 202))
    await again.stop()


def attached(runner: EngineRunner[StandInEngine]) -> Callable[[], Any]:
    async def probe() -> bool:
        return runner.health().detached_sinks == ()

    return probe


async def test_submit_many_goes_in_requests_of_batch_max(tmp_path: Path) -> None:
    fsync = CountingFsync()
    runner = make_runner(tmp_path, fsync=fsync, batch_max=7, queue_size=50)
    await runner.start()
    results = await runner.submit_many([transfer(n) for n in range(30)])
    assert [r.seq for r in results] == list(range(1, 31))
    assert results[29].command == transfer(29)
    assert fsync.calls >= 1 + 30 // 7  # batches of at most 7
    with pytest.raises(ValueError, match="exceed the queue"):
        await runner.submit_many([transfer(n) for n in range(51)])
    await runner.stop()


async def test_a_runner_starts_once(tmp_path: Path) -> None:
    runner = make_runner(tmp_path)
    await runner.start()
    with pytest.raises(RuntimeError, match="starts once"):
        await runner.start()
    await runner.stop()
    with pytest.raises(RuntimeError, match="starts once"):
        await runner.start()
