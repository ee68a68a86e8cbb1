"""``EngineRunner.attach_sink`` under load: a sink attached while commands keep coming is
primed with the engine's state as of some seq S and then receives exactly the results
after S — none missing, none twice — so its book equals the engine's at the end."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from burency_testing.waiting import eventually
from burency_trading.adapters.journal import FileJournal
from burency_trading.adapters.snapshots import FileSnapshotStore
from burency_trading.domain.engine import Engine
from burency_trading.domain.marketdata.prime import EnginePrime, read_engine
from burency_trading.domain.model import AddMarket, OrderType, PlaceOrder, Side, TransferIn
from burency_trading.service.marketdata.sink import MarketDataSink
from burency_trading.service.ports import CommandResult
from burency_trading.service.runner import EngineRunner

from .test_sink import SPEC


class Recording(MarketDataSink):
    def __init__(self) -> None:
        super().__init__()
        self.primed_at = -1
        self.seqs: list[int] = []

    def prime(self, primed: EnginePrime) -> None:
        self.primed_at = primed.seq
        super().prime(primed)

    async def handle(self, results: Sequence[CommandResult]) -> None:
        self.seqs.extend(r.seq for r in results)
        await super().handle(results)


async def test_a_sink_attached_under_load_misses_nothing(tmp_path: Path) -> None:
    runner: EngineRunner[Engine] = EngineRunner(
        engine_factory=Engine,
        engine_restore=Engine.restore,
        journal=FileJournal(tmp_path / "journal"),
        snapshots=FileSnapshotStore(tmp_path / "snapshots"),
        batch_max=7,
    )
    await runner.start()
    try:
        await runner.submit(AddMarket(SPEC))
        for user in ("a", "b"):
            await runner.submit(TransferIn(f"{user}-q", user, "AED", 10**12))
            await runner.submit(TransferIn(f"{user}-b", user, "BTC", 10**12))

        async def trader(user: str, side: Side) -> None:
            for i in range(400):
                price = 20_000_000 + (i * 7919) % 40 + (5 if side is Side.SELL else 0)
                await runner.submit(
                    PlaceOrder(user, "BTC/AED", side, OrderType.LIMIT, qty=1 + i % 3, price=price)
                )

        sink = Recording()
        traders = [asyncio.create_task(trader("a", Side.BUY)),
                   asyncio.create_task(trader("b", Side.SELL))]  # fmt: skip

        async def moving() -> bool:
            return runner.health().seq > 60

        await eventually(moving, "the traders to get going")  # the sink joins a moving engine
        await runner.attach_sink(sink, read_engine, sink.prime)
        await sink.recover()
        await asyncio.gather(*traders)
        last = runner.health().seq

        async def delivered() -> bool:
            return bool(sink.seqs) and sink.seqs[-1] == last

        await eventually(delivered, "the attached sink to get every result")
        assert 60 < sink.primed_at < last
        assert sink.seqs == list(range(sink.primed_at + 1, last + 1))
        bids, asks = await runner.query(lambda e: e.depth("BTC/AED", 10_000))
        book = sink.data.book("BTC/AED")
        assert book is not None
        assert book.depth(10_000) == (bids, asks)
        assert runner.health().sinks["marketdata"] == last
    finally:
        await runner.stop()
