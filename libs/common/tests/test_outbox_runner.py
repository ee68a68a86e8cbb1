"""The shared background-loop plumbing every service component uses."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.bus import InMemoryBus
from burency_common.db import create_engine, create_session_factory, migrate
from burency_common.events import EventEnvelope
from burency_common.outbox import BackgroundLoop, OutboxRelayRunner, add_to_outbox
from support.schema import outbox

MIGRATIONS = Path(__file__).parent / "support" / "migrations"


async def test_background_loop_runs_until_stopped() -> None:
    ticks: list[int] = []

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            ticks.append(1)
            await asyncio.sleep(0)

    loop = BackgroundLoop()
    loop.start(run, name="ticker")
    assert loop.running
    async with asyncio.timeout(5):
        while not ticks:
            await asyncio.sleep(0)  # yield to the loop's task, with a deadline around it
    await loop.stop()
    assert not loop.running


async def test_relay_runner_publishes_after_commit_and_detaches_on_stop(tmp_path: Path) -> None:
    engine: AsyncEngine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}")
    await migrate(engine, MIGRATIONS)
    received: list[str] = []

    async def handler(envelope: EventEnvelope) -> None:
        received.append(envelope.id)

    bus = InMemoryBus()
    bus.subscribe("runner.test", group="g", handler=handler)
    await bus.start()
    hooks: list = []
    runner = OutboxRelayRunner(engine=engine, outbox=outbox, after_commit=hooks)
    runner.start(bus, name="test-relay")
    event = EventEnvelope(type="runner.test", producer="t", key="k")
    async with create_session_factory(engine)() as session:
        await add_to_outbox(session, outbox, event)
        await session.commit()
    for hook in hooks:
        hook()
    async with asyncio.timeout(10):
        while not received:
            await asyncio.sleep(0.01)  # the woken relay publishes; polled with a deadline
    await runner.stop()
    await bus.stop()
    await engine.dispose()
    assert received == [event.id]
    assert hooks == [], "the relay's wake hook is removed on stop"
