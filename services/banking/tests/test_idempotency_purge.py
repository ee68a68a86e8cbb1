"""Stored Idempotency-Key answers expire: the purge deletes only those older than the
retention, the key is then free, and an internal transfer resent after the window still
moves its money once (its ledger id is derived from the key)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from burency_banking.adapters.orm import idempotency_keys
from burency_banking.service.idempotency import idempotent, purge_expired, run_purge_loop
from burency_banking.settings import BankingSettings
from burency_common.errors import Conflict
from burency_testing.waiting import eventually

from .banking_testing.harness import Harness, running_harness

PATH = "/v1/transfers/internal"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def h(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., BankingSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[Harness]:
    """The banking harness on SQLite and on PostgreSQL (the purge's DELETE differs)."""
    overrides = {"database_url": postgres_database_factory()} if request.param == "postgres" else {}
    async with running_harness(make_settings(**overrides)) as harness:
        yield harness


async def _stored(h: Harness) -> int:
    async with h.ctx.engine.connect() as db:
        return int(await db.scalar(select(func.count()).select_from(idempotency_keys)) or 0)


async def _send(h: Harness, user: str, key: str, amount: str) -> Any:
    body = {"toEmail": "bob@example.com", "asset": "AED", "amount": amount}
    return await h.call("POST", PATH, user, headers={"Idempotency-Key": key}, json=body)


async def _available(h: Harness, user: str) -> str:
    return str((await h.call("GET", "/v1/accounts", user)).json()[0]["available"])


async def test_only_answers_older_than_the_retention_are_purged(h: Harness) -> None:
    alice = await h.register(email="alice@example.com")
    await h.register(email="bob@example.com")
    await h.deposit(alice, "AED", 10_000)
    first = await _send(h, alice, "k-old", "1.00")
    assert first.status_code == 201, first.text
    assert (await _send(h, alice, "k-new", "2.00")).status_code == 201
    async with h.ctx.engine.begin() as db:  # k-old was answered eight days ago
        c = idempotency_keys.c
        await db.execute(
            idempotency_keys.update()
            .where(c.key == "k-old")
            .values(created_at=h.ctx.clock.now() - timedelta(days=8))
        )
    removed = await purge_expired(h.ctx, before=h.ctx.clock.now() - timedelta(days=7), batch=1)
    assert (removed, await _stored(h)) == (1, 1)
    again = await _send(h, alice, "k-new", "2.00")
    assert again.headers.get("Idempotent-Replayed") == "true"  # the recent answer stays

    # k-old is free now: the same request runs again, yet its ledger movement is the
    # original one (same derived transfer id), so alice pays once.
    resent = await _send(h, alice, "k-old", "1.00")
    assert resent.status_code == 201, resent.text
    assert resent.headers.get("Idempotent-Replayed") is None
    assert resent.json()["id"] == first.json()["id"]
    assert await _available(h, alice) == "97.00"
    # purged again, a different body under the key meets the ledger's own idempotency check
    await purge_expired(h.ctx, before=h.ctx.clock.now() + timedelta(days=1))
    other = await _send(h, alice, "k-old", "5.00")
    assert (other.status_code, other.json()["code"]) == (409, "IDEMPOTENCY_CONFLICT")
    assert await _available(h, alice) == "97.00"


async def test_the_purge_loop_runs_until_stopped(h: Harness) -> None:
    alice = await h.register(email="alice@example.com")
    await h.register(email="bob@example.com")
    await h.deposit(alice, "AED", 10_000)
    assert (await _send(h, alice, "k", "1.00")).status_code == 201
    settings = h.ctx.settings.model_copy(update={"idempotency_key_retention_hours": 24})
    ctx = dataclasses.replace(h.ctx, settings=settings)  # the harness's own loop keeps 7 days
    async with h.ctx.engine.begin() as db:
        await db.execute(
            idempotency_keys.update().values(created_at=h.ctx.clock.now() - timedelta(days=2))
        )
    stop = asyncio.Event()
    task = asyncio.create_task(run_purge_loop(ctx, stop))

    async def purged() -> bool:
        return await _stored(h) == 0

    await eventually(purged, "the loop to purge the expired answer", timeout=10)
    stop.set()
    await asyncio.wait_for(task, timeout=10)


async def test_a_replay_only_request_never_runs_once_its_answer_is_purged(h: Harness) -> None:
    """A withdrawal skips its 2FA check when the key has an answer; if the purge removes
    the answer before the claim, the request must not run as a fresh one."""
    alice = await h.register(email="alice@example.com")

    async def action(_db: Any) -> Any:
        raise AssertionError("a replay-only request ran its action")

    with pytest.raises(Conflict) as refused:
        await idempotent(h.ctx, "k", user_id=alice, scope="withdrawals.crypto",
                         request={"amount": "1"}, action=action, replay_only=True)  # fmt: skip
    assert refused.value.code == "IDEMPOTENCY_KEY_EXPIRED"
    assert await _stored(h) == 0  # the claim rolled back with the refusal
