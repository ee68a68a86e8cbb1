"""Running a service's background loops: the outbox relay and any other ``run(stop)`` loop.

Every service component starts the same way (migrate, then relay its outbox to the bus
until stopped) and most have a loop of their own (a delivery worker, a cleanup job);
these two classes are that shared start/stop plumbing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.bus.port import EventBus
from burency_common.outbox.relay import OutboxRelay
from burency_common.outbox.writer import OUTBOX_WRITTEN

__all__ = [
    "POSTGRES_IDLE_POLL_SECONDS",
    "SQLITE_IDLE_POLL_SECONDS",
    "BackgroundLoop",
    "OutboxRelayRunner",
    "default_idle_poll",
]


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


SQLITE_IDLE_POLL_SECONDS = 30.0
"""One process writes a SQLite database, and every write wakes its relay: polling is only a
safety net, and idle costs (nearly) nothing."""
POSTGRES_IDLE_POLL_SECONDS = 0.25
"""Other processes of the service write the same PostgreSQL database and cannot wake this
relay, so it keeps looking often (one indexed query)."""


def default_idle_poll(engine: AsyncEngine) -> float:
    """How long an idle relay waits between looks when nothing wakes it."""
    if engine.dialect.name == "sqlite":
        return SQLITE_IDLE_POLL_SECONDS
    return POSTGRES_IDLE_POLL_SECONDS


class OutboxRelayRunner:
    """Relays one service database's outbox to the bus while the service runs.

    The relay wakes as soon as a transaction that wrote outbox rows has committed: the
    writer marks its pooled connection (:data:`~burency_common.outbox.writer.OUTBOX_WRITTEN`)
    and the pool's ``checkin`` (the connection coming back after its commit or rollback)
    wakes the relay. That holds for every unit of work of the service, whatever code path
    wrote the row, so the idle poll (``poll_interval``, by default per database:
    :func:`default_idle_poll`) is only a safety net. ``after_commit`` hooks still wake it
    too (the service's own list of post-commit hooks).
    """

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        outbox: Table,
        after_commit: list[Callable[[], None]],
        poll_interval: float | None = None,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._hooks = after_commit
        self._poll_interval = poll_interval or default_idle_poll(engine)
        self._loop = BackgroundLoop()
        self._on_checkin: Callable[[Any, Any], None] | None = None
        self.relay: OutboxRelay | None = None

    def start(self, bus: EventBus, *, name: str) -> None:
        relay = OutboxRelay(
            engine=self._engine, outbox=self._outbox, bus=bus, poll_interval=self._poll_interval
        )
        self.relay = relay
        self._hooks.append(relay.wake)
        self._listen_for_commits(relay)
        self._loop.start(relay.run, name=name)

    def _listen_for_commits(self, relay: OutboxRelay) -> None:
        loop = asyncio.get_running_loop()

        def on_checkin(_dbapi_connection: Any, record: Any) -> None:
            # may run on another thread (a connection collected by the GC): hand over safely
            if record is not None and record.info.pop(OUTBOX_WRITTEN, False):
                loop.call_soon_threadsafe(relay.wake)

        event.listen(self._engine.sync_engine.pool, "checkin", on_checkin)
        self._on_checkin = on_checkin

    async def stop(self) -> None:
        await self._loop.stop()
        if self._on_checkin is not None:
            event.remove(self._engine.sync_engine.pool, "checkin", self._on_checkin)
            self._on_checkin = None
        if self.relay is not None and self.relay.wake in self._hooks:
            self._hooks.remove(self.relay.wake)
