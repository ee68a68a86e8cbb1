"""The component base: migrate, relay the outbox, run loops; stop them in reverse order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from fastapi import FastAPI
from sqlalchemy import Table

from burency_common.bus.memory import InMemoryBus
from burency_common.component import ComponentBase, LoopFn, ServiceComponent
from burency_common.db import create_engine
from burency_common.events import EventEnvelope
from burency_common.outbox import add_to_outbox
from burency_testing.waiting import eventually

from .support.schema import outbox

MIGRATIONS = Path(__file__).parent / "support" / "migrations"


@dataclass
class Context:
    after_commit: list[Callable[[], None]] = field(default_factory=list)


@dataclass
class Example(ComponentBase[None, Context]):
    name: str = "example"
    events: list[str] = field(default_factory=list)
    migrations: ClassVar[Path | None] = MIGRATIONS
    outbox_table: ClassVar[Table | None] = outbox

    async def prepare(self) -> None:
        self.events.append("prepared")

    def background_loops(self) -> Iterable[tuple[str, LoopFn]]:
        async def tick(stop: asyncio.Event) -> None:
            self.events.append("loop started")
            await stop.wait()
            self.events.append("loop stopped")

        return [("example-loop", tick)]


async def test_start_migrates_relays_and_runs_loops_stop_undoes_it(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    component = Example(None, FastAPI(), Context(), engine)
    assert isinstance(component, ServiceComponent)
    bus = InMemoryBus()
    seen: list[EventEnvelope] = []

    async def handler(envelope: EventEnvelope) -> None:
        seen.append(envelope)

    bus.subscribe("test.effect", group="g", handler=handler)
    await bus.start()
    try:
        await component.start(bus)
        assert component.relay is not None
        assert component.context.after_commit  # the relay wakes on commits
        async with engine.begin() as db:
            envelope = EventEnvelope(type="test.effect", producer="t", key="k", payload={})
            await add_to_outbox(db, outbox, envelope)

        async def delivered() -> bool:
            return len(seen) == 1 and component.events[:2] == ["prepared", "loop started"]

        await eventually(delivered, "the relay to publish and the loop to start")
        await component.stop()
        assert component.events == ["prepared", "loop started", "loop stopped"]
    finally:
        await bus.stop()
