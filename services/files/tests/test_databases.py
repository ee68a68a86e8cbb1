"""Repository behaviour on SQLite AND real PostgreSQL: migrations, metadata round trip,
cursor paging, soft delete and purge bookkeeping, the access log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from burency_common.ids import new_id
from burency_common.timeutil import ManualClock
from burency_files.adapters import files_repo
from burency_files.adapters.files_repo import FileRecord
from burency_files.adapters.orm import metadata
from burency_files.component import MIGRATIONS
from burency_files.settings import FilesSettings

from .files_testing.harness import Harness, running_harness
from .files_testing.images import PDF


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_harness(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., FilesSettings],
    postgres_database_factory: Callable[..., str],
    clock: ManualClock,
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory(migrations=MIGRATIONS)
    async with running_harness(make_settings(**overrides), clock) as h:
        yield h


def record(owner: str, clock: ManualClock, **overrides: Any) -> FileRecord:
    file_id = new_id()
    values: dict[str, Any] = {
        "id": file_id,
        "owner_id": owner,
        "kind": "attachment",
        "original_name": "a.pdf",
        "content_type": "application/pdf",
        "size": 11 * 1024 * 1024 * 1024,  # > 2**31: needs BIGINT on PostgreSQL
        "sha256": "0" * 64,
        "visibility": "private",
        "storage_key": f"attachment/{file_id}",
        "thumbnail_key": None,
        "created_at": clock.now(),
        **overrides,
    }
    return FileRecord(**values)


async def test_migrations_create_every_table(db_harness: Harness) -> None:
    async with db_harness.component.engine.connect() as conn:
        for table in metadata.sorted_tables:
            assert await conn.scalar(select(func.count()).select_from(table)) == 0


async def test_metadata_round_trip_and_paging(db_harness: Harness) -> None:
    ctx = db_harness.component.context
    made = [record("owner", db_harness.clock) for _ in range(5)]
    async with ctx.transaction() as db:
        for item in made:
            await files_repo.add_file(db, item)
        await files_repo.add_file(db, record("someone-else", db_harness.clock))
    async with ctx.transaction() as db:
        assert await files_repo.get_file(db, made[0].id) == made[0]
        page, cursor = await files_repo.list_owned(db, "owner", cursor=None, limit=3)
        rest, end = await files_repo.list_owned(db, "owner", cursor=cursor, limit=3)
    assert [r.id for r in page + rest] == [r.id for r in reversed(made)]
    assert end is None


async def test_soft_delete_and_purge(db_harness: Harness) -> None:
    ctx, clock = db_harness.component.context, db_harness.clock
    item = record("owner", clock)
    async with ctx.transaction() as db:
        await files_repo.add_file(db, item)
        assert await files_repo.mark_deleted(db, item.id, clock.now())
        assert not await files_repo.mark_deleted(db, item.id, clock.now())
        pending = await files_repo.purgeable(db)
        assert [r.id for r in pending] == [item.id]
        await files_repo.mark_purged(db, item.id, clock.now() + timedelta(seconds=1))
        assert await files_repo.purgeable(db) == []
        listed, _ = await files_repo.list_owned(db, "owner", cursor=None, limit=10)
        assert listed == []


async def test_access_log_on_each_database(db_harness: Harness) -> None:
    body = await db_harness.uploaded("alice", PDF, kind="kyc_document")
    await db_harness.url_for("carol", body["id"], "compliance")
    async with db_harness.component.context.transaction() as db:
        entries, _ = await files_repo.list_access(db, body["id"], cursor=None, limit=10)
    assert [(e.actor_id, e.action) for e in entries] == [("carol", "url"), ("alice", "upload")]
    assert entries[0].at.tzinfo is not None


async def test_internal_access_url_names_what_it_serves(db_harness: Harness) -> None:
    """The users service's KYC viewer shows each document's type and original name."""
    body = await db_harness.uploaded("alice", PDF, kind="kyc_document", name="passport%20front.pdf")
    response = await db_harness.client.post(
        f"/internal/v1/files/{body['id']}/access-url",
        json={"actorId": "rev-1", "actorRoles": ["compliance"], "reason": "KYC review 7"},
        headers=db_harness.service_headers("users"),
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["contentType"], out["originalName"]) == ("application/pdf", "passport_front.pdf")
    meta = await db_harness.client.get(
        f"/internal/v1/files/{body['id']}", headers=db_harness.service_headers("users")
    )
    assert meta.json()["originalName"] == "passport_front.pdf"
