"""The flows whose correctness depends on the database, on SQLite AND real PostgreSQL:
migrations, atomic compare-and-set of refresh rotation, TOTP steps, one-time tokens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from burency_auth.adapters import users_repo
from burency_auth.adapters.orm import metadata
from burency_auth.settings import AuthSettings
from burency_common.timeutil import ManualClock

from .auth_testing.harness import Harness, running_harness
from .auth_testing.links import link_token


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_harness(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., AuthSettings],
    postgres_database_factory: Callable[..., str],
    clock: ManualClock,
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides), clock) as h:
        yield h


async def test_migrations_create_every_table(db_harness: Harness) -> None:
    async with db_harness.component.engine.connect() as conn:
        for table in metadata.sorted_tables:
            assert await conn.scalar(select(func.count()).select_from(table)) == 0


async def test_concurrent_refreshes_of_one_token_get_one_pair(db_harness: Harness) -> None:
    await db_harness.register("race@example.com")
    tokens = await db_harness.signed_in("race@example.com")

    async def refresh() -> dict[str, Any]:
        response = await db_harness.client.post(
            "/v1/token/refresh", json={"refreshToken": tokens["refreshToken"]}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    first, second = await asyncio.gather(refresh(), refresh())
    assert first == second


async def test_reuse_detection_and_revocation(db_harness: Harness) -> None:
    await db_harness.register("reuse@example.com")
    tokens = await db_harness.signed_in("reuse@example.com")
    new = await db_harness.client.post(
        "/v1/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    db_harness.clock.advance(30)
    reused = await db_harness.client.post(
        "/v1/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert reused.json()["code"] == "REFRESH_TOKEN_REUSED"
    newest = await db_harness.client.post(
        "/v1/token/refresh", json={"refreshToken": new.json()["refreshToken"]}
    )
    assert newest.json()["code"] == "REFRESH_TOKEN_REVOKED"


async def test_totp_step_is_claimed_once(db_harness: Harness) -> None:
    user_id = await db_harness.register("step@example.com")
    ctx = db_harness.component.context
    async with ctx.transaction() as db:
        assert await users_repo.claim_totp_step(db, user_id, 100)
        assert not await users_repo.claim_totp_step(db, user_id, 100)
        assert not await users_repo.claim_totp_step(db, user_id, 99)
        assert await users_repo.claim_totp_step(db, user_id, 101)


async def test_email_verification_on_each_database(db_harness: Harness) -> None:
    user_id = await db_harness.register("verify@example.com")
    notes = await db_harness.notifications("auth.verify_email", user_id)
    token = link_token(notes[0])
    first = await db_harness.client.post("/v1/email-verification", json={"token": token})
    second = await db_harness.client.post("/v1/email-verification", json={"token": token})
    assert (first.status_code, second.json()["code"]) == (200, "TOKEN_ALREADY_USED")
