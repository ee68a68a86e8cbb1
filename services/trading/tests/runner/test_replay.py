"""THE REPLAY TEST (#15): 200,000 seeded commands through the runner and a real
FileJournal, a snapshot in the middle; a fresh runner rebuilt from that snapshot plus the
journal after it has the identical state hash, and so does a replay of the whole journal
from seq 1 with no snapshot at all.

Measured on the 2-core dev box (shared with other test runs): generating the stream
0.5-1 s, the live run 2.7-6 s (engine + journal + group commit), the rebuild from the
middle snapshot 1.5-3.8 s, the full replay from seq 1 2.4-5.2 s: 8-17 s in all.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from burency_testing.trading_workload import seeded_commands, setup_commands
from burency_trading.adapters.journal import FileJournal
from burency_trading.adapters.snapshots import FileSnapshotStore
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import Command
from burency_trading.service.runner import EngineRunner

TOTAL = 200_000
SEED = 20_015
CHUNK = 1_000
IN_FLIGHT = 8


def commands() -> list[Command]:
    setup = setup_commands()
    rest = seeded_commands(SEED, TOTAL - len(setup), first_seq=len(setup) + 1)
    return [*setup, *rest]


def runner_in(directory: Path, snapshot_every: int) -> EngineRunner[Engine]:
    return EngineRunner(
        engine_factory=Engine,
        engine_restore=Engine.restore,
        journal=FileJournal(directory / "journal"),
        snapshots=FileSnapshotStore(directory / "snapshots"),
        queue_size=CHUNK * IN_FLIGHT,
        batch_max=CHUNK,
        snapshot_every=snapshot_every,
    )


async def rebuilt(directory: Path) -> tuple[str, int, int]:
    """A fresh runner's (state hash, seq, the snapshot it started from: 0 = none)."""
    runner = runner_in(directory, snapshot_every=10**9)
    await runner.start()
    try:
        started_from = max(FileSnapshotStore(directory / "snapshots").seqs(), default=0)
        return await runner.query(lambda e: e.state_hash()), runner.health().seq, started_from
    finally:
        await runner.stop()  # writes a snapshot at TOTAL: the next rebuild removes it


def remove_snapshots(directory: Path, *, keep: int | None = None) -> None:
    for path in (directory / "snapshots").glob("*.snap"):
        if keep is None or int(path.stem) != keep:
            path.unlink()


async def test_snapshot_plus_journal_rebuilds_the_identical_state(tmp_path: Path) -> None:
    began = time.perf_counter()
    stream = commands()
    assert len(stream) == TOTAL
    generated = time.perf_counter()
    live = runner_in(tmp_path, snapshot_every=TOTAL // 2)
    await live.start()
    chunks = [stream[i : i + CHUNK] for i in range(0, TOTAL, CHUNK)]
    for start in range(0, len(chunks), IN_FLIGHT):
        await asyncio.gather(*(live.submit_many(c) for c in chunks[start : start + IN_FLIGHT]))
    before = await live.query(lambda e: e.state_hash())
    totals = await live.query(lambda e: (e.totals(), e.net_transferred()))
    assert totals[0] == totals[1]
    await live.stop()
    ran = time.perf_counter()

    assert FileSnapshotStore(tmp_path / "snapshots").seqs() == [TOTAL // 2, TOTAL]
    remove_snapshots(tmp_path, keep=TOTAL // 2)  # rebuild from the snapshot in the middle
    assert await rebuilt(tmp_path) == (before, TOTAL, TOTAL // 2)
    from_middle = time.perf_counter()

    remove_snapshots(tmp_path)  # and from seq 1 with no snapshot at all
    assert await rebuilt(tmp_path) == (before, TOTAL, 0)
    print(
        f"replay test: generate {generated - began:.1f} s, live run {ran - generated:.1f} s, "
        f"rebuild from the middle {from_middle - ran:.1f} s, "
        f"from seq 1 {time.perf_counter() - from_middle:.1f} s"
    )
