"""Running a service's background loops: the outbox relay and any other ``run(stop)`` loop.

Every service component starts the same way (migrate, then relay its outbox to the bus
until stopped) and most have a loop of their own (a delivery worker, a cleanup job);
these two classes are that shared start/stop plumbing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.bus.port import EventBus
from burency_common.outbox.relay import OutboxRelay

__all__ = ["BackgroundLoop", "OutboxRelayRunner"]


class BackgroundLoop:
    """One ``run(stop_event)`` coroutine as a task, stopped by setting the event and awaiting."""

    def __init__(self) -> None:
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, run: Callable[[asyncio.Event], Awaitable[None]], *, name: str) -> None:
        if self.running:
            raise RuntimeError(f"{name} is already running")
        self._stop = asyncio.Event()

        async def main() -> None:
            await run(self._stop)

        self._task = asyncio.create_task(main(), name=name)

    async def stop(self) -> None:
        self._stop.set()
        task, self._task = self._task, None
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task


class OutboxRelayRunner:
    """Relays one service database's outbox to the bus while the service runs.

    ``after_commit`` is the service's list of post-commit hooks: the relay's ``wake`` is
    added to it, so a committed event is published at once instead of at the next poll.
    """

    def __init__(
        self, *, engine: AsyncEngine, outbox: Table, after_commit: list[Callable[[], None]]
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._hooks = after_commit
        self._loop = BackgroundLoop()
        self.relay: OutboxRelay | None = None

    def start(self, bus: EventBus, *, name: str) -> None:
        self.relay = OutboxRelay(engine=self._engine, outbox=self._outbox, bus=bus)
        self._hooks.append(self.relay.wake)
        self._loop.start(self.relay.run, name=name)

    async def stop(self) -> None:
        await self._loop.stop()
        if self.relay is not None and self.relay.wake in self._hooks:
            self._hooks.remove(self.relay.wake)
