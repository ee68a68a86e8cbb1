"""Migration 0003 re-keys existing accounts by their canonical address (issue 13,
finding 7) on SQLite and PostgreSQL: look-alike duplicates made before it keep their
rows, the real address keeps or gets the canonical key, and no later registration can
take it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from burency_auth.adapters.orm import users
from burency_auth.component import MIGRATIONS
from burency_common.db import create_engine, migrate

T0 = datetime(2026, 1, 1, tzinfo=UTC)
# (id, email as stored before 0003, key as computed before 0003 = email.casefold())
ROWS = [
    ("u1-fullwidth", "\uff21\uff2c\uff29\uff23\uff25@example.com"),  # made before alice
    ("u2-alice", "alice@example.com"),
    ("u3-cyrillic", "\u0430lice@example.com"),
    ("u4-idn", "user@m\u00fcnchen.de"),
    ("u5-bob-upper", "\uff22\uff2f\uff22@example.com"),  # bob exists only in full width
    ("u6-sharp-s", "stra\u00dfe@example.com"),  # casefolds to strasse@...
    ("u7-strasse", "\uff33trasse@example.com"),  # canonical strasse@..., taken by u6
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database_factory: Callable[..., str]
) -> str:
    if request.param == "postgres":
        return postgres_database_factory()
    return f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}"


async def test_existing_rows_are_rekeyed_without_losing_anyone(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine, MIGRATIONS, "0002")
        async with engine.begin() as db:
            for n, (user_id, email) in enumerate(ROWS):
                await db.execute(
                    insert(users).values(
                        id=user_id, email=email, email_key=email.casefold(),
                        password_hash="x", created_at=T0 + timedelta(minutes=n),
                    )
                )  # fmt: skip
        await migrate(engine, MIGRATIONS)
        async with engine.connect() as db:
            keys = dict((await db.execute(select(users.c.id, users.c.email_key))).all())
    finally:
        await engine.dispose()
    assert keys == {
        "u1-fullwidth": "\uff41\uff4c\uff49\uff43\uff45@example.com",  # kept: alice holds it
        "u2-alice": "alice@example.com",
        "u3-cyrillic": "\u0430lice@example.com",  # not acceptable now: kept as it was
        "u4-idn": "user@xn--mnchen-3ya.de",
        "u5-bob-upper": "bob@example.com",  # the only claimant gets the canonical key
        "u6-sharp-s": "strasse@example.com",
        "u7-strasse": "\uff53trasse@example.com",  # its canonical key is u6's: kept
    }
