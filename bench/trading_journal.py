"""Engine + journal with durable acknowledgements (#15, benchmark 3): commands/s through
the EngineRunner with a real FileJournal, every result returned only after its batch's
one fsync (group commit). Target: >= 100,000 commands/s.

Two ways in: ``bulk`` (submit_many of 1,000-command chunks, 8 in flight: the admin/bench
path) and ``single`` (one ``submit`` per command from 256 concurrent producers: the API's
path, one future per command). Prints the engine alone as a baseline, mean batch size,
fsyncs/s and CPU µs per command (process CPU time over all threads / commands). Each
figure is the median of REPEAT runs (the 2-core box is often shared).

    .venv/bin/python bench/trading_journal.py [COMMANDS]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from _common import write_result

from burency_testing.trading_workload import seeded_commands, setup_commands
from burency_trading.adapters.journal import FileJournal
from burency_trading.adapters.snapshots import FileSnapshotStore
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import Command
from burency_trading.service.ports import JournalRecord
from burency_trading.service.runner import EngineRunner

SEED = 3
BATCH_MAX = 4_096
CHUNK = 1_000
IN_FLIGHT = 8
PRODUCERS = 256
REPEAT = 3


class CountingJournal:
    """Counts the appends (batches) and fsyncs of a FileJournal."""

    def __init__(self, directory: Path) -> None:
        self.fsyncs = 0
        self.batches = 0
        self._journal = FileJournal(directory, fsync=self._fsync)

    def _fsync(self, fd: int) -> None:
        self.fsyncs += 1
        os.fsync(fd)

    def append(self, records: Sequence[JournalRecord]) -> None:
        self.batches += 1
        self._journal.append(records)

    def read_from(self, seq: int) -> Iterator[JournalRecord]:
        return self._journal.read_from(seq)

    def last_seq(self) -> int:
        return self._journal.last_seq()

    def close(self) -> None:
        self._journal.close()


def workload(count: int) -> list[Command]:
    setup = setup_commands()
    rest = seeded_commands(SEED, count - len(setup), first_seq=len(setup) + 1)
    return [*setup, *rest]


def engine_alone(commands: list[Command]) -> float:
    engine = Engine()
    started = time.perf_counter()
    for seq, command in enumerate(commands, 1):
        engine.apply(command, seq, seq)
    return len(commands) / (time.perf_counter() - started)


async def bulk(runner: EngineRunner[Engine], commands: list[Command]) -> None:
    room = asyncio.Semaphore(IN_FLIGHT)

    async def one(chunk: list[Command]) -> None:
        async with room:
            await runner.submit_many(chunk)

    tasks = []
    for i in range(0, len(commands), CHUNK):
        await room.acquire()  # keep IN_FLIGHT chunks queued, in order
        room.release()
        tasks.append(asyncio.create_task(one(commands[i : i + CHUNK])))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)


async def single(runner: EngineRunner[Engine], commands: list[Command]) -> None:
    feed = iter(commands)

    async def producer() -> None:
        for command in feed:
            await runner.submit(command)

    await asyncio.gather(*(producer() for _ in range(PRODUCERS)))


async def measure(mode: str, commands: list[Command]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        journal = CountingJournal(Path(tmp) / "journal")
        runner = EngineRunner(
            engine_factory=Engine,
            engine_restore=Engine.restore,
            journal=journal,
            snapshots=FileSnapshotStore(Path(tmp) / "snapshots"),
            queue_size=max(CHUNK * IN_FLIGHT, PRODUCERS),
            batch_max=BATCH_MAX,
            snapshot_every=10**9,
        )
        await runner.start()
        cpu, wall = time.process_time(), time.perf_counter()
        await (bulk if mode == "bulk" else single)(runner, commands)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert runner.health().durable_seq == len(commands)
        await runner.stop()
    n = len(commands)
    return {
        f"{mode}_commands_per_s": round(n / wall),
        f"{mode}_mean_batch": round(n / journal.batches, 1),
        f"{mode}_fsyncs_per_s": round(journal.fsyncs / wall),
        f"{mode}_cpu_us_per_command": round(cpu / n * 1e6, 2),
    }


def median_run(mode: str, commands: list[Command]) -> dict[str, Any]:
    runs = sorted(
        (asyncio.run(measure(mode, commands)) for _ in range(REPEAT)),
        key=lambda run: int(run[f"{mode}_commands_per_s"]),
    )
    return runs[len(runs) // 2]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    commands = workload(count)
    figures: dict[str, Any] = {"commands": count, "batch_max": BATCH_MAX, "runs": REPEAT}
    alone = sorted(engine_alone(commands) for _ in range(REPEAT))
    figures["engine_alone_commands_per_s"] = round(alone[len(alone) // 2])
    figures.update(median_run("bulk", commands))
    figures.update(median_run("single", commands))
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    write_result("trading_journal", figures)


if __name__ == "__main__":
    main()
