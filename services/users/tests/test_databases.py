"""What depends on the database, on SQLite AND real PostgreSQL: migrations, the inbox
making ``user.registered`` idempotent (also under concurrent redelivery), the one-pending
index and the decision compare-and-set."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from burency_users.adapters.orm import inbox, metadata, profiles
from burency_users.settings import UsersSettings

from .users_testing.harness import Harness, registered_event, running_harness


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_harness(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., UsersSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides)) as h:
        yield h


async def _count(h: Harness, table: Any, **where: str) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    async with h.component.engine.connect() as conn:
        return int(await conn.scalar(query) or 0)


async def test_migrations_create_every_table(db_harness: Harness) -> None:
    for table in metadata.sorted_tables:
        assert await _count(db_harness, table) == 0


async def test_concurrent_redelivery_creates_one_profile(db_harness: Harness) -> None:
    event = registered_event("u-race", "race@example.com")
    handler = db_harness.component.on_user_registered
    await asyncio.gather(*(handler(event) for _ in range(5)))
    other_id = registered_event("u-race", "race@example.com")  # replay under a new event id
    await asyncio.gather(handler(other_id), handler(other_id))
    assert await _count(db_harness, profiles, user_id="u-race") == 1
    assert await _count(db_harness, inbox) == 2


async def test_concurrent_submissions_leave_one_pending(db_harness: Harness) -> None:
    user = await db_harness.register()
    await db_harness.reach_level_1(user)
    results = await asyncio.gather(*(db_harness.submit_level_2(user) for _ in range(4)))
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409]


async def test_concurrent_decisions_one_wins(db_harness: Harness) -> None:
    user = await db_harness.register()
    await db_harness.reach_level_1(user)
    sub_id = (await db_harness.submit_level_2(user)).json()["id"]
    path = f"/v1/admin/kyc/submissions/{sub_id}"
    results = await asyncio.gather(
        db_harness.call("POST", f"{path}/approve", "rev-a", "compliance"),
        db_harness.call("POST", f"{path}/reject", "rev-b", "compliance", json={"reason": "bad"}),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    kyc = (await db_harness.call("GET", "/v1/kyc", user)).json()
    assert kyc["level"] in (1, 2)
    assert kyc["submissions"][-1]["status"] in ("APPROVED", "REJECTED")


async def test_migrations_match_the_table_definitions(db_harness: Harness) -> None:
    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with db_harness.component.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
