"""The shared background-loop plumbing every service component uses."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.bus import InMemoryBus
from burency_common.db import create_engine, create_session_factory, migrate
from burency_common.events import EventEnvelope
from burency_common.outbox import BackgroundLoop, OutboxRelayRunner, add_to_outbox
from burency_common.outbox.runner import SQLITE_IDLE_POLL_SECONDS, default_idle_poll

from .support.schema import outbox

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


@pytest.fixture(params=["sqlite", "postgres"])
async def quiet_engine(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database_factory: Callable[..., str]
) -> AsyncIterator[AsyncEngine]:
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}"
        if request.param == "sqlite"
        else postgres_database_factory()
    )
    engine = create_engine(url)
    await migrate(engine, MIGRATIONS)
    yield engine
    await engine.dispose()


async def test_any_commit_that_wrote_the_outbox_wakes_the_relay(quiet_engine: AsyncEngine) -> None:
    """No hook called, no poll due for an hour: the commit alone gets the event out, from
    an ORM session and from a Core connection alike; a rolled-back write wakes nothing up
    that could publish it."""
    received: list[str] = []

    async def handler(envelope: EventEnvelope) -> None:
        received.append(envelope.id)

    bus = InMemoryBus()
    bus.subscribe("runner.test", group="g", handler=handler)
    await bus.start()

    async def wait_for(count: int) -> None:
        async with asyncio.timeout(10):
            while len(received) < count:
                await asyncio.sleep(0.01)  # polled with a deadline

    async def write(envelope: EventEnvelope, *, by_session: bool = False) -> None:
        if by_session:
            async with create_session_factory(quiet_engine)() as session:
                await add_to_outbox(session, outbox, envelope)
                await session.commit()
            return
        async with quiet_engine.begin() as connection:
            await add_to_outbox(connection, outbox, envelope)

    sent = [EventEnvelope(type="runner.test", producer="t", key="k") for _ in range(3)]
    await write(sent[0])  # before the relay starts: its first look publishes it
    runner = OutboxRelayRunner(
        engine=quiet_engine, outbox=outbox, after_commit=[], poll_interval=3600
    )
    runner.start(bus, name="quiet-relay")
    try:
        await wait_for(1)  # from here on the relay is idle until something wakes it
        with contextlib.suppress(RuntimeError):
            async with quiet_engine.begin() as connection:
                await add_to_outbox(
                    connection, outbox, EventEnvelope(type="runner.test", producer="t", key="k")
                )
                raise RuntimeError("rolled back")
        await write(sent[1], by_session=True)
        await wait_for(2)
        await write(sent[2])
        await wait_for(3)
    finally:
        await runner.stop()
        await bus.stop()
    assert received == [e.id for e in sent]


def test_idle_polls_are_a_safety_net_in_embedded_mode(tmp_path: Path) -> None:
    sqlite = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}")
    assert default_idle_poll(sqlite) == SQLITE_IDLE_POLL_SECONDS >= 30
    runner = OutboxRelayRunner(engine=sqlite, outbox=outbox, after_commit=[], poll_interval=0.25)
    assert runner._poll_interval == 0.25
