"""What a Burency service hands to the composition root (``burency_platform``).

Every service package exposes ``build_component(settings) -> ServiceComponent``. The
platform then, in this order: calls :meth:`~ServiceComponent.subscribe` on every
component (consumers are registered before the bus starts), starts the bus, calls
:meth:`~ServiceComponent.start` (migrations, outbox relay), serves ``app``, and on
shutdown calls :meth:`~ServiceComponent.stop`. Embedded mode does this for all services
in one process; ``burency serve <name>`` does it for one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from fastapi import FastAPI
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.bus.port import EventBus
from burency_common.db import migrate
from burency_common.outbox.relay import OutboxRelay
from burency_common.outbox.runner import BackgroundLoop, OutboxRelayRunner

__all__ = ["ComponentBase", "LoopFn", "ServiceComponent"]

LoopFn = Callable[[asyncio.Event], Awaitable[None]]
"""A background loop: runs until its stop event is set."""


@runtime_checkable
class ServiceComponent(Protocol):
    """One service, built but not started."""

    name: str
    app: FastAPI

    def subscribe(self, bus: EventBus) -> None:
        """Register this service's event handlers (before the bus starts)."""

    async def start(self, bus: EventBus) -> None:
        """Migrate the database, start background work (the outbox relay publishing to ``bus``)."""

    async def stop(self) -> None:
        """Stop background work and release connections."""


class ComponentBase:
    """The start/stop every service component shares; subclass it (as a dataclass with
    ``name``, ``app``, ``engine`` fields) and set what differs:

    * ``migrations``: the service's Alembic scripts (run first by :meth:`start`);
    * ``outbox_table``: its outbox, relayed to the bus while it runs, woken by the
      service's post-commit hooks (:meth:`after_commit_hooks`, e.g. the context's list);
    * :meth:`prepare`: anything to do after migrating and before the loops start;
    * :meth:`background_loops`: ``(name, run)`` pairs, started after the relay and
      stopped before it.

    :meth:`stop` stops the loops, then the relay, then disposes of the engine.
    """

    name: str
    app: FastAPI
    engine: AsyncEngine
    migrations: ClassVar[Path | None] = None
    outbox_table: ClassVar[Table | None] = None
    relay_runner: OutboxRelayRunner | None = None
    _loops: tuple[BackgroundLoop, ...] = ()

    @property
    def relay(self) -> OutboxRelay | None:
        """The running relay (tests and the CLI drain it)."""
        return self.relay_runner.relay if self.relay_runner is not None else None

    def subscribe(self, bus: EventBus) -> None:
        """Register event handlers (before the bus starts); none by default."""
        del bus

    def after_commit_hooks(self) -> list[Callable[[], None]]:
        """The service's post-commit hook list (the relay adds its wake-up to it)."""
        return []

    async def prepare(self) -> None:
        """After migrations, before the relay and loops start (e.g. create a bucket)."""

    def background_loops(self) -> Iterable[tuple[str, LoopFn]]:
        """The service's own loops (a delivery worker, a cleanup timer)."""
        return ()

    async def start(self, bus: EventBus) -> None:
        if self.migrations is not None:
            await migrate(self.engine, self.migrations)
        await self.prepare()
        if self.outbox_table is not None:
            runner = OutboxRelayRunner(
                engine=self.engine, outbox=self.outbox_table, after_commit=self.after_commit_hooks()
            )
            runner.start(bus, name=f"{self.name}-outbox-relay")
            self.relay_runner = runner
        loops = []
        for name, run in self.background_loops():
            loop = BackgroundLoop()
            loop.start(run, name=name)
            loops.append(loop)
        self._loops = tuple(loops)

    async def stop(self) -> None:
        loops, self._loops = self._loops, ()
        for loop in reversed(loops):
            await loop.stop()
        if self.relay_runner is not None:
            await self.relay_runner.stop()
        await self.engine.dispose()
