"""Mass announcements: the admin API (permissions, validation, idempotency), segments
(``all``, ``kyc_level>=2`` from ``kyc.status_changed``), fan-out to every device
exactly once on PostgreSQL through the real FCM client, SEND_NOTIFICATION with a
segment, and resumption after a cancellation at a random point."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from burency_common.ids import new_id
from burency_notifications.adapters.orm import announcements, in_app
from burency_notifications.service.fanout import FanoutWorker
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, eventually, running_harness
from .notifications_testing.push_env import (
    Fcm,
    add_device,
    announcement_done,
    fcm_token,
    kyc_event,
    local_fcm,
    target_statuses,
)

ADMIN = frozenset({"admin"})


async def announce(h: Harness, body: dict[str, Any], roles: frozenset[str] = ADMIN) -> Any:
    return await h.client.post(
        "/v1/admin/announcements", json=body, headers=h.headers("operator-1", roles)
    )


@pytest.fixture
async def fcm() -> AsyncIterator[Fcm]:
    async with local_fcm() as server:
        yield server


@pytest.fixture
async def pg_harness(
    fcm: Fcm,
    make_settings: Callable[..., NotificationsSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[Harness]:
    settings = make_settings(
        **fcm.settings(
            database_url=postgres_database_factory(),
            broadcast_push_batch=7,
            broadcast_materialise_batch=5,
            broadcast_email_per_second=1000,
        )
    )
    async with running_harness(settings) as h:
        yield h


async def _population(h: Harness, levels: list[int]) -> dict[str, list[str]]:
    """Users (registered, with a KYC level each) and their two devices' tokens."""
    tokens: dict[str, list[str]] = {}
    for n, level in enumerate(levels):
        user = await h.register(f"user{n}@example.com")
        if level:
            await h.bus.publish(kyc_event(user, level))
        tokens[user] = [fcm_token(f"{n}a"), fcm_token(f"{n}b")]
        for token in tokens[user]:
            await add_device(h, user, token)
    return tokens


async def test_api_permissions_and_validation(harness: Harness) -> None:
    body = {"clientId": "c-1", "segment": "all", "title": "Hello", "body": "World"}
    assert (await harness.client.post("/v1/admin/announcements", json=body)).status_code == 401
    denied = await announce(harness, body, roles=frozenset({"user"}))
    assert denied.status_code == 403
    bad_segment = await announce(harness, {**body, "segment": "everyone"})
    assert bad_segment.status_code == 422
    assert bad_segment.json()["code"] == "INVALID_SEGMENT"
    both = await announce(harness, {**body, "event": "marketing.announcement"})
    assert both.status_code == 422
    unknown = await announce(harness, {"clientId": "c-2", "segment": "all", "event": "no.such"})
    assert unknown.json()["code"] == "INVALID_ANNOUNCEMENT"
    missing = await announce(harness, {"clientId": "c-3", "segment": "all", "event": "price.alert"})
    assert missing.status_code == 422
    assert "symbol" in missing.json()["detail"]
    sms = await announce(harness, {**body, "channels": ["sms"]})
    assert sms.status_code == 422
    listed = await harness.client.get(
        "/v1/admin/announcements", headers=harness.headers("op", ADMIN)
    )
    assert listed.json()["items"] == []
    nothing = await harness.client.get(
        "/v1/admin/announcements/nope", headers=harness.headers("op", ADMIN)
    )
    assert nothing.status_code == 404
    assert nothing.json()["code"] == "ANNOUNCEMENT_NOT_FOUND"


async def test_client_id_makes_creation_idempotent(harness: Harness) -> None:
    body = {"clientId": "same", "segment": "kyc_level >= 2", "title": "T", "body": "B"}
    first, again = await announce(harness, body), await announce(harness, body)
    assert first.status_code == 202
    assert again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["segment"] == "kyc_level>=2"
    other = await announce(harness, {**body, "body": "changed"})
    assert other.status_code == 409
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    listed = await harness.client.get(
        "/v1/admin/announcements", headers=harness.headers("op", ADMIN)
    )
    assert [a["id"] for a in listed.json()["items"]] == [first.json()["id"]]


@pytest.mark.postgres
async def test_segment_reaches_each_token_exactly_once(pg_harness: Harness, fcm: Fcm) -> None:
    h = pg_harness
    levels = [0, 1, 2, 3, 2, 0, 2, 3, 1, 2, 2, 3]
    tokens = await _population(h, levels)
    users = list(tokens)
    opted_out = users[2]  # level 2, but no marketing pushes
    off = {"items": [{"event": "marketing.announcement", "channel": "push", "enabled": False}]}
    assert (await h.call("PUT", "/v1/preferences", opted_out, json=off)).status_code == 200
    wanted = {u for u, level in zip(users, levels, strict=True) if level >= 2}

    body = {
        "clientId": new_id(),
        "segment": "kyc_level>=2",
        "title": "Listing",
        "body": "New coin",
        "channels": ["push", "in_app"],
    }
    created = await announce(h, body)
    assert created.status_code == 202
    view = await announcement_done(h, created.json()["id"])

    received = Counter(fcm.tokens_received())
    expected = {t for u in wanted - {opted_out} for t in tokens[u]}
    assert set(received) == expected
    assert set(received.values()) == {1}
    progress = {p["channel"]: p for p in view["progress"]}
    assert progress["push"]["sent"] == len(expected)
    assert progress["push"]["skipped"] == 1  # the opted-out user
    assert progress["in_app"]["sent"] == len(wanted)
    assert progress["push"]["queued"] == progress["push"]["failed"] == 0
    assert {m["android"]["collapse_key"] for m in fcm.server.received} == {created.json()["id"]}
    listed = await h.client.get("/v1/admin/announcements", headers=h.headers("op", ADMIN))
    [row] = listed.json()["items"]  # the list carries each item's progress
    assert (row["id"], row["progress"]) == (created.json()["id"], view["progress"])
    assert row["data"] == {"title": "Listing", "body": "New coin"}
    async with h.component.engine.connect() as conn:
        feed = Counter(
            r.user_id
            for r in await conn.execute(
                select(in_app.c.user_id).where(in_app.c.notification_id == created.json()["id"])
            )
        )
    assert set(feed) == wanted
    assert set(feed.values()) == {1}


@pytest.mark.postgres
async def test_send_notification_with_segment_all(pg_harness: Harness, fcm: Fcm) -> None:
    h = pg_harness
    tokens = await _population(h, [0, 1, 2])
    dead = tokens[next(iter(tokens))][0]
    fcm.server.unregistered.add(dead)
    note = command(
        "marketing.announcement",
        [],
        segment="all",
        channels=["push", "email"],
        data={"title": "Maintenance", "body": "Sunday 02:00 UTC"},
    )
    await h.bus.publish(note)
    await h.bus.publish(note)  # redelivery: one announcement, one send per token
    view = await announcement_done(h, note.payload["notification_id"])
    received = Counter(fcm.tokens_received())
    assert set(received) == {t for ts in tokens.values() for t in ts} - {dead}
    assert set(received.values()) == {1}
    progress = {p["channel"]: p for p in view["progress"]}
    assert progress["push"]["failed"] == 1
    assert progress["email"]["sent"] == 3
    targets = await target_statuses(h, note.payload["notification_id"])
    dead_rows = [r for r in targets.values() if r.status == "failed"]
    assert len(dead_rows) == 1
    assert "UNREGISTERED" in dead_rows[0].last_error
    listed = (await h.call("GET", "/v1/devices", dead_rows[0].user_id)).json()["items"]
    assert len(listed) == 1  # the dead token was pruned


@pytest.mark.postgres
async def test_cancelled_mid_way_resumes_without_resending_what_was_recorded(
    pg_harness: Harness, fcm: Fcm
) -> None:
    h = pg_harness
    tokens = await _population(h, [0] * 15)  # 30 tokens, push batches of 7
    await h.component.loop(
        "notifications-fanout-worker"
    ).stop()  # this test drives the workers itself
    body = {"clientId": new_id(), "segment": "all", "title": "T", "body": "B", "channels": ["push"]}
    announcement_id = (await announce(h, body)).json()["id"]
    fcm.server.delay = 0.005
    stop_after = random.randint(1, 28)

    first = FanoutWorker(
        h.component.context, h.component.fanout.push if h.component.fanout else None
    )
    task = asyncio.create_task(first.run_once())
    await eventually(lambda: _at_least(fcm, stop_after), "some pushes")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    before = await target_statuses(h, announcement_id)
    recorded = {r.target for r in before.values() if r.status == "sent"}
    in_flight = {r.target for r in before.values() if r.status == "sending"}
    assert len(in_flight) <= 7

    # the first worker is gone; its lease runs out (moved into the past, not waited for)
    async with h.component.engine.begin() as conn:
        await conn.execute(
            update(announcements)
            .where(announcements.c.id == announcement_id)
            .values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    second = FanoutWorker(h.component.context, first.push)
    await second.run_once()
    after = await target_statuses(h, announcement_id)
    assert {r.status for r in after.values()} == {"sent"}
    received = Counter(fcm.tokens_received())
    assert set(received) == {t for ts in tokens.values() for t in ts}
    token_of = await _tokens_by_device(h)
    twice = {t for t, n in received.items() if n > 1}
    assert all(received[token_of[d]] == 1 for d in recorded)
    assert twice <= {token_of[d] for d in in_flight}


async def _at_least(fcm: Fcm, n: int) -> bool:
    return len(fcm.server.received) >= n


async def _tokens_by_device(h: Harness) -> dict[str, str]:
    from burency_notifications.adapters.orm import devices

    async with h.component.engine.connect() as conn:
        return {r.id: r.token for r in await conn.execute(select(devices.c.id, devices.c.token))}
