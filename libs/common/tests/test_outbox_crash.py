"""A relay SIGKILLed part-way through publishing loses nothing, and its duplicates have no effect.

Real components only: the outbox lives in PostgreSQL, the relay is a separate process
publishing to the Kafka broker, and the consumer applies effects through the inbox.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from burency_common.bus import KafkaBus, RetryPolicy
from burency_common.db import create_engine, create_session_factory, migrate
from burency_common.events import EventEnvelope
from burency_common.outbox import OutboxRelay, add_to_outbox, claim_in_inbox

from .support.schema import effects, inbox, outbox

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

TESTS_DIR = Path(__file__).parent
EVENTS = 200
PAUSE_AFTER = 70  # batch of 50 published and marked, then 20 published but not marked


def start_relay_process(db_url: str, bootstrap: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(TESTS_DIR)}
    return subprocess.Popen(
        [sys.executable, "-m", "support.relay_process", db_url, bootstrap, str(PAUSE_AFTER)],
        cwd=TESTS_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def wait_for_line(proc: subprocess.Popen[str], expected: str, timeout: float) -> None:
    assert proc.stdout is not None
    line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), timeout)
    if line.strip() != expected:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"relay process said {line!r}, expected {expected!r}; stderr:\n{err[-2000:]}")


async def count(engine: object, table: object) -> int:
    async with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def test_killed_relay_loses_nothing_and_duplicates_have_no_effect(
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    unique_topic: Callable[[str], str],
) -> None:
    topic = unique_topic("crash")
    db_url = postgres_database_factory()
    engine = create_engine(db_url)
    await migrate(engine, TESTS_DIR / "support" / "migrations")
    sessions = create_session_factory(engine)
    sent = [
        EventEnvelope(type=topic, producer="tests", key=f"acct-{i % 7}", payload={"amount": i})
        for i in range(EVENTS)
    ]
    async with sessions() as session:
        for env in sent:
            await add_to_outbox(session, outbox, env)
        await session.commit()

    deliveries: Counter[str] = Counter()

    async def apply_effect(env: EventEnvelope) -> None:
        deliveries[env.id] += 1
        async with sessions() as session:
            if await claim_in_inbox(session, inbox, env, consumer="effects"):
                await session.execute(
                    insert(effects).values(event_id=env.id, amount=env.payload["amount"])
                )
            await session.commit()

    consumer = KafkaBus(kafka_bootstrap, client_id="crash-consumer")
    consumer.subscribe(topic, group=f"{topic}.g", handler=apply_effect, retry=RetryPolicy())
    await consumer.start()
    try:
        await consumer.wait_until_assigned(timeout=30)

        victim = start_relay_process(db_url, kafka_bootstrap)
        await wait_for_line(victim, "STARTED", timeout=60)
        await wait_for_line(victim, "PAUSED", timeout=60)
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=10)
        assert victim.returncode == -signal.SIGKILL

        async with engine.connect() as conn:
            pending = await conn.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
        assert pending == EVENTS - 50, "only the first, committed batch is marked sent"

        survivor_bus = KafkaBus(kafka_bootstrap, client_id="survivor-relay")
        await survivor_bus.start()
        try:
            relay = OutboxRelay(engine=engine, outbox=outbox, bus=survivor_bus, batch_size=50)
            assert await relay.drain() == EVENTS - 50
        finally:
            await survivor_bus.stop()

        deadline = asyncio.get_running_loop().time() + 60
        while await count(engine, effects) < EVENTS or sum(deliveries.values()) < EVENTS + 20:
            if asyncio.get_running_loop().time() > deadline:
                pytest.fail(
                    f"effects={await count(engine, effects)} deliveries={sum(deliveries.values())}"
                )
            await asyncio.sleep(0.05)  # polling with a deadline
    finally:
        await consumer.stop()

    assert set(deliveries) == {env.id for env in sent}, "no event was lost"
    assert sum(deliveries.values()) >= EVENTS + 20, "the killed relay's batch was published twice"
    assert await count(engine, effects) == EVENTS, "each event had exactly one effect"
    async with engine.connect() as conn:
        total = await conn.scalar(select(func.sum(effects.c.amount)))
    assert total == sum(range(EVENTS))
    await engine.dispose()
