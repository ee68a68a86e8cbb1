"""Mass push fan-out: 20,000 users x 2 devices through the notification service's
fan-out worker and our FCM HTTP v1 client to a local FCM stand-in, on PostgreSQL.

Processes: this script (loads the data, watches), the FCM stand-in (token endpoint
verifying the RS256 assertion + ``messages:send``; counts only), and the notification
service (``burency_testing.component_process``: the real component, push = fcm). All
three share this 2-core machine with PostgreSQL.

1. throughput: one announcement to segment ``all``; pushes/s from creation to ``done``
   (materialisation included).
2. kill half-way: a second announcement; the service is SIGKILLed once the stand-in
   has received ~50% of the pushes, a new service process resumes; the stand-in's
   counts prove every token received it and how many got it twice (at most the one
   batch in flight at the kill, which carries the same collapse key).

Needs PostgreSQL (``source var/infra.env``; read from there when not in the environment).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

import aiohttp  # noqa: E402
from _common import write_result  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from burency_common.db import create_engine, migrate  # noqa: E402
from burency_notifications.adapters.orm import (  # noqa: E402
    announcement_targets,
    announcements,
    devices,
    recipients,
)
from burency_notifications.component import MIGRATIONS  # noqa: E402
from burency_testing.fcm_server import make_service_account  # noqa: E402
from burency_testing.infra import (  # noqa: E402
    create_postgres_database,
    drop_postgres_database,
    free_port,
)

USERS = 20_000
DEVICES_PER_USER = 2
TOKENS = USERS * DEVICES_PER_USER
TARGET_RATE = 5_000
NOTIFICATIONS = (  # the real component in a process of its own, SIGKILLed half-way
    "burency_testing.component_process",
    "burency_notifications.component:build_component",
    "burency_notifications.settings:NotificationsSettings",
)
TIMEOUT = 300.0


def _load_infra_env() -> None:
    if os.environ.get("BURENCY_TEST_POSTGRES_ADMIN_DSN"):
        return
    env_file = ROOT / "var/infra.env"
    if not env_file.exists():
        raise SystemExit("PostgreSQL needed: run scripts/infra.sh and `source var/infra.env`")
    for line in env_file.read_text().splitlines():
        if line.startswith("export ") and "=" in line:
            key, _, value = line.removeprefix("export ").partition("=")
            os.environ.setdefault(key, value.strip().strip("'\""))


def _token(user: int, k: int) -> str:
    return f"bench{user}-{k}:APA91b" + "Q" * 140


async def _load(url: str) -> None:
    import hashlib  # noqa: PLC0415

    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        await migrate(engine, MIGRATIONS)
        async with engine.begin() as conn:
            await conn.execute(
                recipients.insert(),
                [
                    {
                        "user_id": f"user-{n:06d}",
                        "email": f"u{n}@example.com",
                        "phone": None,
                        "language": "en",
                        "created_at": now,
                    }
                    for n in range(USERS)
                ],
            )
            rows = []
            for n in range(USERS):
                for k in range(DEVICES_PER_USER):
                    token = _token(n, k)
                    rows.append(
                        {
                            "id": f"dev-{n:06d}-{k}",
                            "user_id": f"user-{n:06d}",
                            "token": token,
                            "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                            "platform": "android",
                            "name": None,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
            await conn.execute(devices.insert(), rows)
    finally:
        await engine.dispose()


async def _announce(url: str, client_id: str) -> str:
    engine = create_engine(url)
    now = datetime.now(UTC)
    announcement_id = f"bench-{client_id}"
    try:
        async with engine.begin() as conn:
            await conn.execute(
                announcements.insert().values(
                    id=announcement_id,
                    client_id=client_id,
                    created_by="bench",
                    event="marketing.announcement",
                    title="Bench",
                    body="Fan-out",
                    data={"title": "Bench", "body": "Fan-out"},
                    segment="all",
                    channels=["push"],
                    status="materialising",
                    cursor=None,
                    lease_owner=None,
                    lease_until=None,
                    created_at=now,
                    updated_at=now,
                    finished_at=None,
                )
            )
    finally:
        await engine.dispose()
    return announcement_id


_ENGINES: dict[str, Any] = {}


async def _status(url: str, announcement_id: str) -> tuple[str, dict[str, int]]:
    """The announcement's status and its targets per status (one engine per URL, reused)."""
    engine = _ENGINES.setdefault(url, create_engine(url))
    t = announcement_targets
    async with engine.connect() as conn:
        status = await conn.scalar(
            select(announcements.c.status).where(announcements.c.id == announcement_id)
        )
        counts = {
            row[0]: int(row[1])
            for row in await conn.execute(
                select(t.c.status, func.count())
                .where(t.c.announcement_id == announcement_id)
                .group_by(t.c.status)
            )
        }
    return str(status), counts


async def _spawn(
    module: str, *args: str, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
    if not line.startswith(b"ready"):
        raise RuntimeError(f"{module} did not start: {line!r}")
    return proc


async def _stop(proc: asyncio.subprocess.Process, sig: int = signal.SIGTERM) -> None:
    if proc.returncode is None:
        proc.send_signal(sig)
        await proc.wait()


async def _stats(http: aiohttp.ClientSession, fcm_url: str) -> dict[str, Any]:
    async with http.get(f"{fcm_url}/stats") as response:
        return dict(await response.json())


async def _until_done(url: str, announcement_id: str) -> tuple[float, float]:
    """Wait for ``done``; returns (when materialisation ended, when done) (perf_counter)."""
    deadline = time.monotonic() + TIMEOUT
    materialised = 0.0
    engine = _ENGINES.setdefault(url, create_engine(url))
    while time.monotonic() < deadline:
        async with engine.connect() as conn:
            status = await conn.scalar(
                select(announcements.c.status).where(announcements.c.id == announcement_id)
            )
        if status != "materialising" and not materialised:
            materialised = time.perf_counter()
        if status == "done":
            return materialised, time.perf_counter()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"announcement {announcement_id} not done in {TIMEOUT}s")


async def _throughput(
    url: str, env: dict[str, str], http: aiohttp.ClientSession, fcm_url: str
) -> dict[str, Any]:
    service = await _spawn(*NOTIFICATIONS, env=env)
    try:
        started = time.perf_counter()
        announcement_id = await _announce(url, "throughput")
        materialised, finished = await _until_done(url, announcement_id)
    finally:
        await _stop(service)
    stats = await _stats(http, fcm_url)
    _, counts = await _status(url, announcement_id)
    return {
        "pushes": stats["received"],
        "unique_tokens": stats["unique"],
        "duplicates": stats["duplicates"],
        "seconds": round(finished - started, 2),
        "pushes_per_second": round(stats["received"] / (finished - started)),
        "recorded_sent": counts.get("sent", 0),
        "materialise_seconds": round(materialised - started, 2),
        "send_phase_pushes_per_second": round(stats["received"] / (finished - materialised)),
    }


async def _kill_half_way(
    url: str, env: dict[str, str], http: aiohttp.ClientSession, fcm_url: str
) -> dict[str, Any]:
    async with http.post(f"{fcm_url}/reset"):
        pass
    service = await _spawn(*NOTIFICATIONS, env=env)
    announcement_id = await _announce(url, "kill")
    deadline = time.monotonic() + TIMEOUT
    while (await _stats(http, fcm_url))["received"] < TOKENS // 2:
        if time.monotonic() > deadline:
            raise TimeoutError("never reached half-way")
        await asyncio.sleep(0.01)
    await _stop(service, signal.SIGKILL)
    at_kill = await _stats(http, fcm_url)
    _, left = await _status(url, announcement_id)
    resumed = await _spawn(*NOTIFICATIONS, env=env)
    try:
        await _until_done(url, announcement_id)
    finally:
        await _stop(resumed)
    final = await _stats(http, fcm_url)
    _, counts = await _status(url, announcement_id)
    return {
        "received_at_kill": at_kill["received"],
        "recorded_sent_at_kill": left.get("sent", 0),
        "in_flight_at_kill": left.get("sending", 0),
        "received_total": final["received"],
        "unique_tokens": final["unique"],
        "every_token_reached": final["unique"] == TOKENS,
        "duplicates": final["duplicates"],
        "recorded_sent": counts.get("sent", 0),
    }


async def _run(url: str, workdir: Path) -> dict[str, Any]:
    account, public = make_service_account("burency-bench")
    port = free_port()
    account["token_uri"] = f"http://127.0.0.1:{port}/token"
    (workdir / "key.pub").write_text(public)
    (workdir / "sa.json").write_text(json.dumps(account))
    await _load(url)
    fcm = await _spawn(
        "burency_testing.fcm_lean",
        "--public-key",
        str(workdir / "key.pub"),
        "--client-email",
        account["client_email"],
        "--project",
        "burency-bench",
        "--port",
        str(port),
    )
    fcm_url = f"http://127.0.0.1:{port}"
    env = {
        "BURENCY_DATABASE_URL": url,
        "BURENCY_PUSH_CHANNEL": "fcm",
        "BURENCY_FCM_CREDENTIALS_FILE": str(workdir / "sa.json"),
        "BURENCY_FCM_BASE_URL": fcm_url,
        "BURENCY_FCM_CONCURRENCY": os.environ.get("BENCH_FCM_CONCURRENCY", "64"),
        "BURENCY_BROADCAST_PUSH_BATCH": "500",
        "BURENCY_BROADCAST_MATERIALISE_BATCH": "5000",
        "BURENCY_BROADCAST_LEASE_SECONDS": "2",
        "BURENCY_WORKER_POLL_SECONDS": "0.1",
        "BURENCY_LOG_LEVEL": "WARNING",
    }
    try:
        async with aiohttp.ClientSession() as http:
            throughput = await _throughput(url, env, http, fcm_url)
            kill = await _kill_half_way(url, env, http, fcm_url)
    finally:
        await _stop(fcm)
        for engine in _ENGINES.values():
            await engine.dispose()
    return {
        "users": USERS,
        "tokens": TOKENS,
        "fcm_concurrency": int(env["BURENCY_FCM_CONCURRENCY"]),
        "push_batch": 500,
        "target_pushes_per_second": TARGET_RATE,
        **{f"run_{k}": v for k, v in throughput.items()},
        **{f"kill_{k}": v for k, v in kill.items()},
    }


def main() -> None:
    _load_infra_env()
    url = create_postgres_database("bench")
    try:
        with tempfile.TemporaryDirectory() as workdir:
            figures = asyncio.run(_run(url, Path(workdir)))
    finally:
        drop_postgres_database(url)
    write_result("notifications_broadcast", figures)


if __name__ == "__main__":
    main()
