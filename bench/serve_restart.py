"""Distributed mode: seconds from starting ``burency serve <service>`` to its ``/readyz``.

What an operator waits after a crash: an orchestrator restarts the killed process and
routes to it again once it is ready. For each service measured here the benchmark
creates a PostgreSQL database, starts the service (first start: migrations run), kills
it with SIGKILL, starts it again on the same database and times both, with the CPU the
process used until ready. Needs ``make infra-up`` (PostgreSQL, Kafka) and
``source var/infra.env``. The target (issue #14): ready in under 3 s after a restart.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).parent))

from _common import write_result
from _platform import CLI, _free_port, cpu_seconds

ADMIN_DSN = os.environ.get("BURENCY_TEST_POSTGRES_ADMIN_DSN", "")
DB_URL = os.environ.get("BURENCY_TEST_POSTGRES_URL", "")
KAFKA = os.environ.get("BURENCY_TEST_KAFKA_BOOTSTRAP", "")
SERVICES = {
    "notifications": {},
    "banking": {"BURENCY_CHAIN_ADDRESS_SEED": "s" * 40},
}


async def _create_database(name: str) -> str:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return DB_URL.rsplit("/", 1)[0] + "/" + name


def _start_and_time(env: dict[str, str], port: int) -> tuple[float, float, subprocess.Popen[bytes]]:
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(CLI), "serve", env["SERVICE"]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = started + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"burency serve {env['SERVICE']} exited during start-up")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                ready = time.monotonic() - started
                return ready, cpu_seconds(Path(f"/proc/{proc.pid}/stat")), proc
        except httpx.TransportError:
            pass
        time.sleep(0.02)  # polling for readiness with a deadline: what is being measured
    proc.kill()
    raise SystemExit(f"{env['SERVICE']} not ready in 120 s")


def measure(service: str, extra: dict[str, str]) -> dict[str, float]:
    import asyncio  # noqa: PLC0415

    database = asyncio.run(_create_database(f"bench_restart_{secrets.token_hex(4)}"))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
    env.update(
        SERVICE=service,
        BURENCY_MODE="distributed",
        BURENCY_PORT=str(port),
        BURENCY_DATABASE_URL=database,
        BURENCY_IDENTITY_SECRET=secrets.token_urlsafe(32),
        BURENCY_KAFKA_BOOTSTRAP=KAFKA,
        BURENCY_KAFKA_TOPIC_PREFIX=f"bench-{secrets.token_hex(4)}.",
        **extra,
    )
    first, first_cpu, proc = _start_and_time(env, port)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    again, again_cpu, proc = _start_and_time(env, port)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    return {
        "first_start_s": round(first, 2),
        "first_start_cpu_s": round(first_cpu, 2),
        "restart_after_sigkill_s": round(again, 2),
        "restart_cpu_s": round(again_cpu, 2),
    }


def main() -> None:
    if not (ADMIN_DSN and DB_URL and KAFKA):
        raise SystemExit("needs PostgreSQL and Kafka: make infra-up && source var/infra.env")
    figures: dict[str, object] = {"target_restart_s": "< 3"}
    for service, extra in SERVICES.items():
        figures[service] = measure(service, extra)
    write_result("serve_restart", figures)


if __name__ == "__main__":
    main()
