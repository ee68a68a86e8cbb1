"""Transactional outbox and inbox, on SQLite and on real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.bus import InMemoryBus
from burency_common.db import create_engine, create_session_factory, migrate
from burency_common.events import EventEnvelope
from burency_common.outbox import OutboxRelay, add_to_outbox, claim_in_inbox

from .support.schema import effects, inbox, outbox

MIGRATIONS = Path(__file__).parent / "support" / "migrations"


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database_factory: Callable[..., str]
) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    else:
        url = postgres_database_factory()
    eng = create_engine(url)
    await migrate(eng, MIGRATIONS)
    yield eng
    await eng.dispose()


def envelope(key: str = "acct-1", amount: int = 1) -> EventEnvelope:
    return EventEnvelope(type="test.effect", producer="tests", key=key, payload={"amount": amount})


async def pending_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return int(await conn.scalar(query) or 0)


async def test_migrations_create_outbox_and_inbox(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(outbox)) == 0
        assert await conn.scalar(select(func.count()).select_from(inbox)) == 0


async def test_rolled_back_transaction_publishes_nothing(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    async with sessions() as session:
        await add_to_outbox(session, outbox, envelope())
        await session.rollback()
    bus = InMemoryBus()
    received: list[EventEnvelope] = []

    async def handler(env: EventEnvelope) -> None:
        received.append(env)

    bus.subscribe("test.effect", group="g", handler=handler)
    await bus.start()
    assert await OutboxRelay(engine=engine, outbox=outbox, bus=bus).drain() == 0
    await bus.stop()
    assert received == []


async def test_committed_events_are_published_in_order_and_marked(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    sent = [envelope(key=f"k{i % 3}", amount=i) for i in range(25)]
    async with sessions() as session:
        for env in sent:
            await add_to_outbox(session, outbox, env)
        await session.commit()
    received: list[EventEnvelope] = []

    async def handler(env: EventEnvelope) -> None:
        received.append(env)

    bus = InMemoryBus()
    bus.subscribe("test.effect", group="g", handler=handler)
    await bus.start()
    relay = OutboxRelay(engine=engine, outbox=outbox, bus=bus, batch_size=10)
    assert await relay.drain() == 25
    await bus.stop()
    assert [e.id for e in received] == [e.id for e in sent]
    assert await pending_count(engine) == 0
    assert await relay.drain() == 0, "a published row is never published again"


async def test_inbox_makes_a_redelivered_event_effect_once(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    event = envelope(amount=7)
    outcomes = []
    for _ in range(3):
        async with sessions() as session:
            first = await claim_in_inbox(session, inbox, event, consumer="ledger")
            if first:
                await session.execute(insert(effects).values(event_id=event.id, amount=7))
            await session.commit()
            outcomes.append(first)
    assert outcomes == [True, False, False]
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(effects)) == 1


async def test_inbox_claims_are_per_consumer(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    event = envelope()
    async with sessions() as session:
        assert await claim_in_inbox(session, inbox, event, consumer="a")
        assert await claim_in_inbox(session, inbox, event, consumer="b")
        assert not await claim_in_inbox(session, inbox, event, consumer="a")
        await session.commit()
