"""A broadcast whose sender process is SIGKILLed half-way, then resumed by a new
process: every token is reached, nothing recorded as sent is sent again, and the
only possible duplicates are the batch that was in flight at the kill (PostgreSQL,
the service in a subprocess, our FCM client against the local FCM server)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from burency_common.db import create_engine
from burency_notifications.adapters.orm import announcement_targets, devices, recipients
from burency_notifications.service import broadcast
from burency_notifications.service.devices import token_hash
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import eventually, running_harness
from .notifications_testing.push_env import (
    Fcm,
    announcement_done,
    fcm_token,
    local_fcm,
)

pytestmark = pytest.mark.postgres

USERS = 200
BATCH = 50


def _rows(now: datetime) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    people = [
        {
            "user_id": f"user-{n:05d}",
            "email": f"u{n}@example.com",
            "phone": None,
            "language": "en",
            "created_at": now,
        }
        for n in range(USERS)
    ]
    phones = [
        {
            "id": f"dev-{n:05d}-{k}",
            "user_id": f"user-{n:05d}",
            "token": fcm_token(f"{n}-{k}"),
            "token_hash": token_hash(fcm_token(f"{n}-{k}")),
            "platform": "android",
            "name": None,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(USERS)
        for k in range(2)
    ]
    return people, phones


async def _spawn(env: dict[str, str]) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "burency_testing.component_process",
        "burency_notifications.component:build_component",
        "burency_notifications.settings:NotificationsSettings",
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
    assert line.strip() == b"ready", line
    return proc


async def test_sigkill_half_way_then_resume(
    tmp_path: Path,
    make_settings: Callable[..., NotificationsSettings],
    postgres_database_factory: Callable[..., str],
) -> None:
    database_url = postgres_database_factory()
    async with local_fcm(delay=0.004) as fcm:
        credentials = tmp_path / "service-account.json"
        credentials.write_text(fcm.credentials_json)
        env = {
            "BURENCY_DATABASE_URL": database_url,
            "BURENCY_PUSH_CHANNEL": "fcm",
            "BURENCY_FCM_CREDENTIALS_FILE": str(credentials),
            "BURENCY_FCM_BASE_URL": fcm.server.url,
            "BURENCY_FCM_CONCURRENCY": "8",
            "BURENCY_BROADCAST_PUSH_BATCH": str(BATCH),
            "BURENCY_BROADCAST_LEASE_SECONDS": "1",
            "BURENCY_WORKER_POLL_SECONDS": "0.05",
        }
        announcement_id = await _prepare(make_settings, database_url)
        victim = await _spawn(env)
        try:
            await eventually(
                lambda: _received_at_least(fcm, USERS), "half of the pushes", timeout=60
            )
        finally:
            victim.send_signal(signal.SIGKILL)
            await victim.wait()
        settings = make_settings(**{k.removeprefix("BURENCY_").lower(): v for k, v in env.items()})
        before = await _snapshot(database_url, announcement_id)  # as the dead process left it
        sent_then = {t for t, status in before.items() if status == "sent"}
        in_flight = {t for t, status in before.items() if status == "sending"}
        received_at_kill = len(fcm.server.received)
        async with running_harness(settings) as h:
            view = await announcement_done(h, announcement_id)
            async with h.component.engine.connect() as conn:
                token_of = {
                    r.id: r.token for r in await conn.execute(select(devices.c.id, devices.c.token))
                }

    assert 0 < len(sent_then) < 2 * USERS
    assert len(in_flight) <= BATCH
    received = Counter(fcm.tokens_received())
    assert set(received) == set(token_of.values())  # every token reached
    assert all(received[token_of[d]] == 1 for d in sent_then)  # recorded = never resent
    twice = {t for t, n in received.items() if n > 1}
    assert twice <= {token_of[d] for d in in_flight}
    assert max(received.values()) <= 2
    assert {p["channel"]: p["sent"] for p in view["progress"]} == {"push": 2 * USERS}
    assert received_at_kill >= USERS


async def _snapshot(database_url: str, announcement_id: str) -> dict[str, str]:
    engine = create_engine(database_url)
    t = announcement_targets
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(t.c.target, t.c.status).where(t.c.announcement_id == announcement_id)
            )
            return {r.target: r.status for r in rows}
    finally:
        await engine.dispose()


async def _received_at_least(fcm: Fcm, n: int) -> bool:
    return len(fcm.server.received) >= n


async def _prepare(make_settings: Callable[..., NotificationsSettings], database_url: str) -> str:
    """Migrate, load 200 users x 2 devices and create the announcement (push not
    configured here, so nothing is sent before the subprocess starts)."""
    async with running_harness(make_settings(database_url=database_url, push_channel="fcm")) as h:
        await h.component.loop("notifications-fanout-worker").stop()
        people, phones = _rows(datetime.now(UTC))
        async with h.component.engine.begin() as conn:
            await conn.execute(recipients.insert(), people)
            await conn.execute(devices.insert(), phones)
        created, _ = await broadcast.create_announcement(
            h.component.context,
            client_id="kill-test",
            created_by="op",
            event="marketing.announcement",
            data={"title": "T", "body": "B"},
            segment="all",
            channels=["push"],
        )
        return created.id
