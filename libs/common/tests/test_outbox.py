"""Transactional outbox and inbox, on SQLite and on real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from burency_common.bus import InMemoryBus
from burency_common.db import create_engine, create_session_factory, migrate
from burency_common.events import EventEnvelope
from burency_common.outbox import OutboxRelay, add_to_outbox, claim_in_inbox
from burency_testing.waiting import eventually

from .support.schema import effects, inbox, outbox

MIGRATIONS = Path(__file__).parent / "support" / "migrations"
_RELAY_TURN = 0x0B7E_0C0F_FEE0_0001  # the relays' advisory lock (burency_common.outbox.relay)


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


@pytest.mark.postgres
async def test_drain_waits_for_the_relay_that_holds_the_turn(
    postgres_database_factory: Callable[..., str],
) -> None:
    """A drain while another relay publishes (the component's own loop, say) must not
    return early with nothing: it waits for that batch and then publishes what is left."""
    eng = create_engine(postgres_database_factory())
    await migrate(eng, MIGRATIONS)
    sessions = create_session_factory(eng)
    async with sessions() as session:
        for amount in range(3):
            await add_to_outbox(session, outbox, envelope(amount=amount))
        await session.commit()
    bus = InMemoryBus()
    await bus.start()
    try:
        async with eng.connect() as other_relay:
            await other_relay.execute(select(func.pg_advisory_xact_lock(_RELAY_TURN)))
            drain = asyncio.ensure_future(OutboxRelay(engine=eng, outbox=outbox, bus=bus).drain())
            await _until_waiting_for_the_turn(other_relay, drain)
            await other_relay.commit()
        assert await asyncio.wait_for(drain, timeout=30) == 3
        assert await pending_count(eng) == 0
    finally:
        await bus.stop()
        await eng.dispose()


async def _until_waiting_for_the_turn(conn: AsyncConnection, drain: asyncio.Future[int]) -> None:
    waiting = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")

    async def asked_for_the_turn() -> bool:
        assert not drain.done(), f"the drain gave up while the turn was taken: {drain.result()}"
        return bool(await conn.scalar(waiting))

    await eventually(asked_for_the_turn, "the drain to ask for the relays' turn")
