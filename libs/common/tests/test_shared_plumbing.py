"""The plumbing every service shares: settings rule, client address, upsert, UTC datetimes,
the outbox emitter, the money parser (one code for an unknown asset), idempotency keys and
the component base."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from burency_common.config import RunMode, ServiceSettings
from burency_common.db import UtcDateTime, create_engine, insert_ignore, upsert
from burency_common.errors import BadRequest, Conflict, ValidationFailed
from burency_common.events import SEND_NOTIFICATION, EventEnvelope, default_registry
from burency_common.idempotency import IdempotencyStore, idempotency_keys_table, run_idempotent
from burency_common.idempotency.http import answer_response, require_idempotency_key
from burency_common.money import AssetRegistry, parse_money
from burency_common.outbox import Outbox, outbox_tables
from burency_common.web import client_ip

metadata = MetaData()
outbox, _inbox = outbox_tables(metadata)
things = Table(
    "things",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("n", Integer, nullable=False),
    Column("note", String(16), nullable=True),
    Column("at", UtcDateTime(), nullable=True),
)
keys = idempotency_keys_table(metadata)
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database_factory: Callable[..., str]
) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'plumbing.db'}"
    else:
        url = postgres_database_factory()
    eng = create_engine(url)
    async with eng.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield eng
    await eng.dispose()


# -- ServiceSettings: one identity-secret rule -------------------------------------------


def test_distributed_mode_requires_the_identity_secret() -> None:
    with pytest.raises(ValidationError, match="distributed mode requires BURENCY_IDENTITY_SECRET"):
        ServiceSettings(mode=RunMode.DISTRIBUTED, _env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize("mode", [RunMode.EMBEDDED, RunMode.DISTRIBUTED])
def test_a_short_identity_secret_is_refused_in_either_mode(mode: RunMode) -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        ServiceSettings(mode=mode, identity_secret="s" * 31, _env_file=None)  # type: ignore[call-arg]
    ok = ServiceSettings(mode=mode, identity_secret="s" * 32, _env_file=None)  # type: ignore[call-arg]
    assert ok.identity_secret_bytes() == b"s" * 32


def test_embedded_mode_without_a_secret_makes_one_per_process() -> None:
    settings = ServiceSettings(_env_file=None)  # type: ignore[call-arg]
    first, second = settings.identity_secret_bytes(), settings.identity_secret_bytes()
    assert len(first) == 32
    assert first != second


def test_a_subclass_lists_what_else_distributed_mode_requires() -> None:
    class WithUrl(ServiceSettings):
        other_url: str | None = None

        def distributed_requirements(self) -> list[tuple[str, object]]:
            return [*super().distributed_requirements(), ("BURENCY_OTHER_URL", self.other_url)]

    with pytest.raises(ValidationError, match="BURENCY_IDENTITY_SECRET, BURENCY_OTHER_URL"):
        WithUrl(mode=RunMode.DISTRIBUTED, _env_file=None)  # type: ignore[call-arg]


# -- client_ip ----------------------------------------------------------------------------


def _request(headers: list[tuple[bytes, bytes]], peer: tuple[str, int] | None) -> Request:
    return Request({"type": "http", "headers": headers, "client": peer})


def test_client_ip_is_the_last_forwarded_entry_else_the_peer() -> None:
    forged = [(b"x-forwarded-for", b"6.6.6.6, 10.0.0.9")]
    assert client_ip(_request(forged, ("127.0.0.1", 5))) == "10.0.0.9"
    assert client_ip(_request([(b"x-forwarded-for", b" , ")], ("192.0.2.1", 5))) == "192.0.2.1"
    assert client_ip(_request([], ("192.0.2.1", 5))) == "192.0.2.1"
    assert client_ip(_request([], None)) == "unknown"
    assert client_ip(_request([(b"x-forwarded-for", b"a" * 100)], None)) == "a" * 64


# -- upsert, insert_ignore, UtcDateTime ----------------------------------------------------


async def test_insert_ignore_says_whether_it_inserted(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        assert await insert_ignore(db, things, {"id": "a", "n": 1})
        assert not await insert_ignore(db, things, {"id": "a", "n": 2})
        assert await db.scalar(select(things.c.n).where(things.c.id == "a")) == 1


async def test_upsert_updates_and_a_where_keeps_the_newest(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        await upsert(db, things, {"id": "a", "n": 1, "note": "x"}, index_elements=["id"])
        await upsert(db, things, {"id": "a", "n": 2, "note": "y"}, index_elements=["id"])
        row = (await db.execute(select(things.c.n, things.c.note))).one()
        assert tuple(row) == (2, "y")
        kept = await upsert(
            db, things, {"id": "a", "n": 1}, index_elements=["id"],
            where=lambda new: things.c.n < new.n,
        )  # fmt: skip
        assert not kept
        assert await db.scalar(select(things.c.n)) == 2
        await upsert(db, things, {"id": "a", "n": 9}, index_elements=["id"], set_={"note": "z"})
        row = (await db.execute(select(things.c.n, things.c.note))).one()
        assert tuple(row) == (9, "z")
        await upsert(db, things, {"id": "a", "n": 5, "note": "q"}, index_elements=["id"],
                     update=["note"])  # fmt: skip
        row = (await db.execute(select(things.c.n, things.c.note))).one()
        assert tuple(row) == (9, "q")


async def test_utc_datetime_reads_back_aware(engine: AsyncEngine) -> None:
    async with engine.begin() as db:
        await insert_ignore(db, things, {"id": "t", "n": 0, "at": NOW})
        at = await db.scalar(select(things.c.at))
    assert at == NOW
    assert at.tzinfo is not None
    assert at.utcoffset() == timedelta(0)


# -- Outbox --------------------------------------------------------------------------------


async def _queued(engine: AsyncEngine) -> list[EventEnvelope]:
    async with engine.connect() as db:
        bodies = (await db.execute(select(outbox.c.body).order_by(outbox.c.seq))).scalars()
        return [EventEnvelope.from_bytes(body) for body in bodies]


async def test_notify_checks_the_data_and_a_stable_id_is_emitted_once(engine: AsyncEngine) -> None:
    box = Outbox(producer="tests", registry=default_registry(), table=outbox)
    async with engine.begin() as db:
        with pytest.raises(ValueError, match="needs data"):
            await box.notify(db, user_id="u1", event="auth.new_login", data={})
    data: dict[str, object] = {"ip": "192.0.2.1", "device": "curl"}
    async with engine.begin() as db:
        await box.notify(db, user_id="u1", event="auth.new_login", data=data)
        await box.notify(db, user_id="u1", event="auth.new_login", data=data)
        for _ in range(2):
            await box.notify(
                db, user_id="u1", event="auth.new_login", data=data, notification_id="n-1"
            )
    queued = await _queued(engine)
    assert [e.type for e in queued] == [SEND_NOTIFICATION] * 3
    assert {e.producer for e in queued} == {"tests"}
    assert queued[2].payload["notification_id"] == "n-1"


# -- one money parser, one code for an unknown asset ---------------------------------------


def test_parse_money_codes() -> None:
    assets = AssetRegistry.default()
    assert parse_money(assets, "BTC", "0.5") == 50_000_000
    for asset, amount, code, field in [
        ("DOGE", "1", "UNKNOWN_ASSET", "asset"),
        ("BTC", "0", "ZERO_AMOUNT", "amount"),
        ("BTC", "1e5", "INVALID_AMOUNT", "amount"),
        ("AED", "0.001", "AMOUNT_PRECISION_EXCEEDED", "amount"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            parse_money(assets, asset, amount)
        assert (caught.value.status, caught.value.code) == (422, code)
        assert caught.value.errors[0]["field"] == field


# -- idempotency keys ----------------------------------------------------------------------


class Out(BaseModel):
    n: int


async def test_a_key_runs_once_replays_and_refuses_another_body(engine: AsyncEngine) -> None:
    store = IdempotencyStore(keys)
    runs: list[int] = []

    async def action(db: Any) -> Out:
        runs.append(1)
        await insert_ignore(db, things, {"id": f"i{len(runs)}", "n": len(runs)})
        return Out(n=len(runs))

    def call(body: dict[str, Any], **kw: Any) -> Any:
        return run_idempotent(store, engine.begin, key="k", user_id="u", scope="s",
                              request=body, action=action, now=NOW, **kw)  # fmt: skip

    first = await call({"a": 1})
    again = await call({"a": 1})
    assert (first.replayed, again.replayed, runs) == (False, True, [1])
    assert again.body == {"n": 1}
    assert again.status_code == 201
    assert answer_response(again).headers["idempotent-replayed"] == "true"
    with pytest.raises(Conflict) as caught:
        await call({"a": 2})
    assert caught.value.code == "IDEMPOTENCY_CONFLICT"
    assert await store.purge(engine.begin, before=NOW + timedelta(seconds=1)) == 1
    with pytest.raises(Conflict) as caught:
        await call({"a": 1}, replay_only=True)
    assert caught.value.code == "IDEMPOTENCY_KEY_EXPIRED"
    assert runs == [1]


def test_the_header_dependency() -> None:
    assert require_idempotency_key("abc-1") == "abc-1"
    for bad, code in [(None, "IDEMPOTENCY_KEY_REQUIRED"), ("a b", "INVALID_IDEMPOTENCY_KEY"),
                      ("x" * 129, "INVALID_IDEMPOTENCY_KEY")]:  # fmt: skip
        with pytest.raises(BadRequest) as caught:
            require_idempotency_key(bad)
        assert caught.value.code == code


# -- a context's unit of work --------------------------------------------------------------


async def test_a_session_context_runs_its_hooks_after_a_commit_that_wrote(
    engine: AsyncEngine,
) -> None:
    from dataclasses import dataclass, field

    from burency_common.db import create_session_factory
    from burency_common.unit_of_work import SessionUnitOfWork

    @dataclass
    class Context(SessionUnitOfWork):
        sessions: Any
        after_commit: list[Callable[[], None]] = field(default_factory=list)

    woken: list[str] = []
    ctx = Context(create_session_factory(engine), [lambda: woken.append("hook")])
    async with ctx.transaction() as db:
        await db.execute(select(things.c.id))
    assert woken == []
    async with ctx.transaction() as db:
        await insert_ignore(db, things, {"id": "w", "n": 1})
    assert woken == ["hook"]
