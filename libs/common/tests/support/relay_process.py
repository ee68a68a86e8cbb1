"""A relay process that stops dead part-way through a batch, for the outbox crash test.

Usage: ``python -m support.relay_process DB_URL KAFKA_BOOTSTRAP PAUSE_AFTER``. It
publishes with a real :class:`KafkaBus`; after ``PAUSE_AFTER`` publishes it prints
``PAUSED`` and hangs *before* the batch is marked sent, so the parent can SIGKILL it
in exactly the window where a crash causes duplicates.
"""

from __future__ import annotations

import asyncio
import sys

from burency_common.bus import EventBus, KafkaBus
from burency_common.db import create_engine
from burency_common.events import EventEnvelope
from burency_common.outbox import OutboxRelay

from .schema import outbox


class PausingBus(EventBus):
    """Delegates to a real bus, then freezes after ``pause_after`` publishes."""

    def __init__(self, inner: KafkaBus, pause_after: int) -> None:
        self.inner = inner
        self.remaining = pause_after

    def subscribe(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError

    def subscribe_dead_letters(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError

    async def publish(self, envelope: EventEnvelope, *, topic: str | None = None) -> None:
        if self.remaining == 0:
            print("PAUSED", flush=True)
            await asyncio.Event().wait()
        await self.inner.publish(envelope, topic=topic)
        self.remaining -= 1

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()

    async def ping(self) -> bool:
        return await self.inner.ping()


async def main(db_url: str, bootstrap: str, pause_after: int) -> None:
    engine = create_engine(db_url)
    bus = PausingBus(KafkaBus(bootstrap, client_id="crash-relay"), pause_after)
    await bus.start()
    print("STARTED", flush=True)
    relay = OutboxRelay(engine=engine, outbox=outbox, bus=bus, batch_size=50)
    await relay.drain()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
