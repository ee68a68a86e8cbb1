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
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from fastapi import FastAPI
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.bus.port import EventBus
from burency_common.db import migrate
from burency_common.outbox.relay import OutboxRelay
from burency_common.outbox.runner import BackgroundLoop, OutboxRelayRunner

__all__ = ["ComponentBase", "LoopFn", "ServiceComponent"]

SettingsT = TypeVar("SettingsT")
ContextT = TypeVar("ContextT")

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


@dataclass
class ComponentBase(Generic[SettingsT, ContextT]):
    """The start/stop every service component shares. Subclass it as a dataclass::

        @dataclass
        class AuthComponent(ComponentBase[AuthSettings, AuthContext]):
            name: str = "auth"
            migrations: ClassVar[Path | None] = MIGRATIONS
            outbox_table: ClassVar[Table | None] = outbox

    and set what differs:

    * ``migrations``: the service's Alembic scripts (run first by :meth:`start`);
    * ``outbox_table``: its outbox, relayed to the bus while it runs, woken by the
      service's post-commit hooks (:meth:`after_commit_hooks`: by default the context's
      ``after_commit`` list);
    * :meth:`prepare`: anything to do after migrating and before the loops start;
    * :meth:`background_loops`: ``(name, run)`` pairs, started after the relay and
      stopped before it.

    :meth:`stop` stops the loops, then the relay, then disposes of the engine.
    """

    settings: SettingsT
    app: FastAPI
    context: ContextT
    engine: AsyncEngine
    name: str = field(default="service", kw_only=True)
    relay_runner: OutboxRelayRunner | None = field(default=None, init=False)
    _loops: dict[str, BackgroundLoop] = field(default_factory=dict, init=False, repr=False)
    migrations: ClassVar[Path | None] = None
    outbox_table: ClassVar[Table | None] = None

    @property
    def relay(self) -> OutboxRelay | None:
        """The running relay (tests and the CLI drain it)."""
        return self.relay_runner.relay if self.relay_runner is not None else None

    def subscribe(self, bus: EventBus) -> None:
        """Register event handlers (before the bus starts); none by default."""
        del bus

    def after_commit_hooks(self) -> list[Callable[[], None]]:
        """The service's post-commit hook list (the relay adds its wake-up to it)."""
        hooks = getattr(self.context, "after_commit", None)
        if not isinstance(hooks, list):
            raise TypeError(f"{self.name}: give the context an after_commit list")
        return hooks

    async def prepare(self) -> None:
        """After migrations, before the relay and loops start (e.g. create a bucket)."""

    def background_loops(self) -> Iterable[tuple[str, LoopFn]]:
        """The service's own loops (a delivery worker, a cleanup timer)."""
        return ()

    def loop(self, name: str) -> BackgroundLoop:
        """A running background loop by its name (a test may stop one to drive it)."""
        return self._loops[name]

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
        for name, run in self.background_loops():
            loop = BackgroundLoop()
            loop.start(run, name=name)
            self._loops[name] = loop

    async def stop(self) -> None:
        loops, self._loops = self._loops, {}
        for loop in reversed(loops.values()):
            await loop.stop()
        if self.relay_runner is not None:
            await self.relay_runner.stop()
        await self.engine.dispose()
