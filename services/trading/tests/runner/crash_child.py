"""The process the crash test kills: an EngineRunner (real engine, FileJournal, snapshots)
under load from many concurrent submitters, printing one line per acknowledged command.

    python crash_child.py DIRECTORY SEED COUNT

Lines on stdout (each flushed): ``ready <seq>`` after recovery, then ``a <seq> o`` for an
acknowledged PlaceOrder the engine accepted (its order id is its seq), ``a <seq> -`` for
any other acknowledged command, and ``done`` when COUNT commands were acknowledged. The
journal is wrapped so the runner does not compact it: the test replays it from seq 1.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from burency_testing.trading_workload import seeded_commands, setup_commands
from burency_trading.adapters.journal import FileJournal
from burency_trading.adapters.snapshots import FileSnapshotStore
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import Command, OrderAccepted, PlaceOrder
from burency_trading.service.ports import CommandResult, JournalRecord
from burency_trading.service.runner import EngineRunner

SUBMITTERS = 64
SEGMENT_BYTES = 256 * 1024  # several segments: kills also land around a rotation
SNAPSHOT_EVERY = 1_500


class WholeJournal:
    """A FileJournal without ``compact``: the test needs every record from seq 1."""

    def __init__(self, journal: FileJournal) -> None:
        self._journal = journal

    def append(self, records: Sequence[JournalRecord]) -> None:
        self._journal.append(records)

    def read_from(self, seq: int) -> Iterator[JournalRecord]:
        return self._journal.read_from(seq)

    def last_seq(self) -> int:
        return self._journal.last_seq()

    def close(self) -> None:
        self._journal.close()


def ack_line(result: CommandResult) -> str:
    accepted = isinstance(result.command, PlaceOrder) and any(
        isinstance(e, OrderAccepted) and e.order_id == result.seq for e in result.events
    )
    return f"a {result.seq} {'o' if accepted else '-'}\n"


async def main(directory: Path, seed: int, count: int) -> None:
    runner = EngineRunner(
        engine_factory=Engine,
        engine_restore=Engine.restore,
        journal=WholeJournal(FileJournal(directory / "journal", segment_bytes=SEGMENT_BYTES)),
        snapshots=FileSnapshotStore(directory / "snapshots"),
        queue_size=10_000,
        batch_max=256,
        snapshot_every=SNAPSHOT_EVERY,
    )
    await runner.start()
    last = runner.health().seq
    out = sys.stdout
    out.write(f"ready {last}\n")
    out.flush()
    if last == 0:
        for result in await runner.submit_many(setup_commands()):
            out.write(ack_line(result))
        out.flush()
        last = runner.health().seq
    commands: Iterator[Command] = seeded_commands(seed, count, first_seq=last + 1)

    async def submitter() -> None:
        for command in commands:  # shared: seqs follow the order of next()
            result = await runner.submit(command)
            out.write(ack_line(result))
            out.flush()

    await asyncio.gather(*(submitter() for _ in range(SUBMITTERS)))
    out.write("done\n")
    out.flush()
    await runner.stop()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
