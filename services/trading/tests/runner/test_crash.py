"""THE CRASH TEST (#15): SIGKILL the engine process at random moments under load, restart
it, and check that nothing acknowledged was lost.

A child process (``crash_child.py``) runs the real engine behind an EngineRunner with a
FileJournal and snapshots, 64 concurrent submitters, and prints a line per acknowledged
command. The parent kills it with SIGKILL after a seeded random number of acks (never
after a sleep), starts it again (recovery: snapshot + journal), several times. Then:

- every acknowledged seq is <= the recovered last seq (nothing acknowledged was lost);
- every acknowledged, accepted order ended FILLED / CANCELED / EXPIRED, or is still open
  (resting, or a waiting stop) in the recovered engine;
- the journal's seqs run from 1 without a gap;
- recovery (snapshot + journal) gives the state hash of a full replay from seq 1;
- conservation: per asset, totals() == net_transferred().
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from pathlib import Path

from burency_trading.adapters.journal import FileJournal
from burency_trading.adapters.snapshots import FileSnapshotStore
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import OrderAccepted, OrderStatus, OrderUpdated
from burency_trading.service.runner import EngineRunner

CHILD = Path(__file__).with_name("crash_child.py")
SEED = 1515
KILLS = 8
LINE_TIMEOUT = 60.0  # a deadline for the next line from the child, not a wait for a result


class Acks:
    def __init__(self) -> None:
        self.seqs: set[int] = set()
        self.orders: set[int] = set()

    def take(self, line: str) -> None:
        _a, seq, kind = line.split()
        self.seqs.add(int(seq))
        if kind == "o":
            self.orders.add(int(seq))


async def run_child(directory: Path, seed: int, acks: Acks, kill_after: int | None) -> bool:
    """One life of the engine process; True if it finished (was not killed)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), str(directory), str(seed), "6000",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        ready = await asyncio.wait_for(proc.stdout.readline(), LINE_TIMEOUT)
        assert ready.startswith(b"ready "), ready
        seen = 0
        while True:
            line = (await asyncio.wait_for(proc.stdout.readline(), LINE_TIMEOUT)).decode()
            assert line, f"the child died on its own (exit {await proc.wait()})"
            if line == "done\n":
                return True
            acks.take(line)
            seen += 1
            if kill_after is not None and seen >= kill_after:
                proc.send_signal(signal.SIGKILL)
                await proc.wait()
                return False
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def replay_whole_journal(directory: Path) -> tuple[Engine, dict[int, OrderStatus], int]:
    """A fresh engine fed every journaled command from seq 1; each order's last status."""
    journal = FileJournal(directory / "journal")
    engine = Engine()
    status: dict[int, OrderStatus] = {}
    expected = 1
    try:
        for record in journal.read_from(1):
            assert record.seq == expected, f"journal gap: {record.seq} after {expected - 1}"
            expected += 1
            for event in engine.apply(record.command, record.seq, record.ts):
                if isinstance(event, OrderAccepted):
                    status[event.order_id] = OrderStatus.NEW
                elif isinstance(event, OrderUpdated):
                    status[event.order_id] = event.status
        return engine, status, journal.last_seq()
    finally:
        journal.close()


async def recovered(directory: Path) -> EngineRunner[Engine]:
    runner = EngineRunner(
        engine_factory=Engine,
        engine_restore=Engine.restore,
        journal=FileJournal(directory / "journal", segment_bytes=256 * 1024),
        snapshots=FileSnapshotStore(directory / "snapshots"),
        snapshot_every=10**9,
    )
    await runner.start()
    return runner


async def test_sigkill_under_load_loses_no_acknowledged_command(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    acks = Acks()
    for life in range(KILLS):
        finished = await run_child(tmp_path, SEED + life, acks, rng.randint(50, 3_000))
        assert not finished
    assert len(FileSnapshotStore(tmp_path / "snapshots").seqs()) > 0  # recovery used them

    full, status, last = replay_whole_journal(tmp_path)
    runner = await recovered(tmp_path)
    try:
        assert runner.health().seq == last
        assert max(acks.seqs) <= last
        assert await runner.query(lambda e: e.state_hash()) == full.state_hash()
        totals = await runner.query(lambda e: (e.totals(), e.net_transferred()))
        assert totals[0] == totals[1]
        assert totals[0]  # there was money to conserve
        still_open = await runner.query(lambda e: {o: e.order(o) is not None for o in acks.orders})
    finally:
        await runner.stop()
    print(f"crash test: {KILLS} kills, {len(acks.seqs)} acks, last seq {last}")
    ended = {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.EXPIRED}
    live = {OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED}
    assert len(acks.orders) > 500
    for order_id in acks.orders:
        assert order_id in status, f"acknowledged order {order_id} is not in the journal"
        if status[order_id] in live:
            assert still_open[order_id], f"order {order_id} ({status[order_id]}) is not open"
        else:
            assert status[order_id] in ended, (order_id, status[order_id])
