"""Notification delivery throughput: in-app and (recorded) e-mail deliveries per second.

Under transfer load the platform's in-app deliveries once ran at ~4/s and took 224 s to
catch up (issue #14). This measures the delivery worker alone, on SQLite (embedded
mode's file database) and PostgreSQL: ``NOTIFICATIONS`` commands for ``USERS`` known
recipients go through the real intake (``SEND_NOTIFICATION`` handler: inbox claim,
preferences, one delivery row per channel), two channels each (``in_app``: the feed
row and its ``notification.in_app.created`` outbox event in one transaction;
``email``: the recorder embedded mode uses). Then the worker drains the queue
(:meth:`DeliveryWorker.run_once`) and we count deliveries per second and the process
CPU time per delivery (``time.process_time``: the event loop and aiosqlite's threads).

The platform's transfer rate to keep up with: bench/results/banking_transfers.json
(hundreds of transfers per second, each announcing at most a few notifications).

Needs PostgreSQL for the second half (``source var/infra.env``; read from there when
not in the environment). Usage: ``python bench/notifications_delivery.py [notifications]``.
``BENCH_LABEL=before`` writes ``notifications_delivery_before.json`` instead: how the
figures of an older worker were kept (run with ``PYTHONPATH`` pointing at a checkout of
it, e.g. ``git worktree add /tmp/before <rev>``;
``PYTHONPATH=/tmp/before/services/notifications/src``).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

from _common import write_result  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from burency_common.config import RunMode, load_settings  # noqa: E402
from burency_common.db import migrate  # noqa: E402
from burency_common.events import (  # noqa: E402
    SEND_NOTIFICATION,
    USER_REGISTERED,
    SendNotification,
    UserRegistered,
    default_registry,
)
from burency_common.ids import new_id  # noqa: E402
from burency_common.timeutil import utc_now  # noqa: E402
from burency_notifications.adapters.orm import deliveries  # noqa: E402
from burency_notifications.component import (  # noqa: E402
    MIGRATIONS,
    NotificationsComponent,
    build_component,
)
from burency_notifications.service import intake  # noqa: E402
from burency_notifications.settings import NotificationsSettings  # noqa: E402
from burency_testing.infra import create_postgres_database, drop_postgres_database  # noqa: E402

NOTIFICATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
USERS = 100
CHANNELS = ["in_app", "email"]
EVENT = "banking.transfer.received"  # what an internal transfer announces to its receiver
DATA = {"amount": "12.50", "asset": "USDT"}


def _load_infra_env() -> None:
    if os.environ.get("BURENCY_TEST_POSTGRES_ADMIN_DSN"):
        return
    env_file = ROOT / "var/infra.env"
    if not env_file.exists():
        return
    for line in env_file.read_text().splitlines():
        if line.startswith("export ") and "=" in line:
            key, _, value = line.removeprefix("export ").partition("=")
            os.environ.setdefault(key, value.strip().strip("'\""))


def _component(database_url: str) -> NotificationsComponent:
    settings = load_settings(
        NotificationsSettings,
        mode=RunMode.EMBEDDED,
        database_url=database_url,
        email_channel="record",
    )
    return build_component(settings, identity_secret=b"b" * 32)


async def _queue(component: NotificationsComponent, users: list[str]) -> None:
    """Recipients, then the commands, through the real consumers (the worker is idle)."""
    registry = default_registry()
    ctx = component.context
    for user_id in users:
        payload = UserRegistered(
            user_id=user_id, email=f"{user_id}@example.com", created_at=utc_now()
        )
        envelope = registry.build(payload, event_type=USER_REGISTERED, producer="bench")
        await intake.on_user_registered(ctx, envelope)
    for n in range(NOTIFICATIONS):
        command = SendNotification(
            notification_id=new_id(),
            event=EVENT,
            user_ids=[users[n % len(users)]],
            data=DATA,
            channels=CHANNELS,
        )
        envelope = registry.build(command, event_type=SEND_NOTIFICATION, producer="bench")
        await intake.on_send_notification(ctx, envelope)


async def _count(component: NotificationsComponent, status: str) -> int:
    async with component.context.transaction() as db:
        found = await db.scalar(
            select(func.count()).select_from(deliveries).where(deliveries.c.status == status)
        )
    return int(found or 0)


async def measure(database_url: str) -> dict[str, Any]:
    component = _component(database_url)
    try:
        await migrate(component.engine, MIGRATIONS)
        users = [new_id() for _ in range(USERS)]
        started = time.perf_counter()
        await _queue(component, users)
        queued_s = time.perf_counter() - started
        queued = await _count(component, "queued")
        assert queued == NOTIFICATIONS * len(CHANNELS), queued
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await component.worker.run_once()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        sent = await _count(component, "sent")
        assert sent == queued, f"{sent} of {queued} sent"
        return {
            "deliveries": sent,
            "deliveries_per_s": round(sent / wall, 1),
            "cpu_us_per_delivery": round(cpu / sent * 1e6),
            "drain_s": round(wall, 2),
            "intake_commands_per_s": round(NOTIFICATIONS / queued_s, 1),
        }
    finally:
        await component.engine.dispose()


def main() -> None:
    _load_infra_env()
    figures: dict[str, Any] = {"notifications": NOTIFICATIONS, "channels": CHANNELS}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'notifications.db'}"
        figures["sqlite"] = asyncio.run(measure(url))
        print("sqlite", figures["sqlite"], flush=True)
    if os.environ.get("BURENCY_TEST_POSTGRES_ADMIN_DSN"):
        url = create_postgres_database("bench_delivery")
        try:
            figures["postgresql"] = asyncio.run(measure(url))
            print("postgresql", figures["postgresql"], flush=True)
        finally:
            drop_postgres_database(url)
    label = os.environ.get("BENCH_LABEL", "").strip()
    write_result("notifications_delivery" + (f"_{label}" if label else ""), figures)


if __name__ == "__main__":
    main()
