"""Ledger throughput: transfers per second and p50/p99 latency with 16 concurrent clients.

Measured at the ledger-service level, not over HTTP: each client runs, in its own
transaction, one ``Ledger.transfer`` between two random user accounts of 200 (the
same code the HTTP endpoints and the flows call), on PostgreSQL and on SQLite. On
PostgreSQL the 16 clients run in one service process, then split over two processes
(the way distributed mode runs several instances): one Python process saturates one
core well before PostgreSQL does.
Target: >= 1,500 transfers/s on PostgreSQL on the 2-core development machine.

Needs PostgreSQL (``source var/infra.env``; read from there when not in the environment).
``BENCH_SECONDS`` (default 10) sets each run's duration.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "services/banking/tests"))

from _common import percentile, write_result  # noqa: E402
from banking_testing.harness import ledger_database  # noqa: E402

from burency_banking.ledger import TransferSpec  # noqa: E402
from burency_common.testing.infra import (  # noqa: E402
    create_postgres_database,
    drop_postgres_database,
)

CLIENTS = 16
ACCOUNTS = 200
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))


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


async def _clients(url: str, accounts: list[str], clients: int, seed: int) -> list[float]:
    """Run ``clients`` concurrent clients for SECONDS; returns their latencies (s)."""
    async with ledger_database(url) as ldb:
        latencies: list[float] = []
        deadline = time.perf_counter() + SECONDS
        counter = iter(range(10**9))

        async def client(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.perf_counter() < deadline:
                debit, credit = rng.sample(accounts, 2)
                spec = TransferSpec(f"b{seed}-{next(counter)}", "AED", debit, credit, 1, "i")
                started = time.perf_counter()
                async with ldb.sessions() as db, db.begin():
                    await ldb.ledger.transfer(db, spec)
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies


def _process(url: str, accounts: list[str], clients: int, seed: int) -> list[float]:
    return asyncio.run(_clients(url, accounts, clients, seed))


async def _measure(url: str, processes: int) -> dict[str, float]:
    """16 clients in total, spread over ``processes`` service processes."""
    async with ledger_database(url) as ldb:
        accounts = [await ldb.fund(f"bench-{i}", "AED", 10**12) for i in range(ACCOUNTS)]
    started = time.perf_counter()
    if processes == 1:
        latencies = await _clients(url, accounts, CLIENTS, 0)
    else:
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(processes) as pool:
            parts = await asyncio.gather(*(
                loop.run_in_executor(pool, _process, url, accounts, CLIENTS // processes, n)
                for n in range(processes)))  # fmt: skip
        latencies = [x for part in parts for x in part]
    elapsed = time.perf_counter() - started
    async with ledger_database(url) as ldb:
        assert await ldb.sum_posted("AED") == 0
    return {
        "transfers_per_s": round(len(latencies) / elapsed),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "transfers": len(latencies),
    }


async def main() -> None:
    _load_infra_env()
    figures: dict[str, object] = {"level": "ledger service (Ledger.transfer), not HTTP",
                                  "clients": CLIENTS, "seconds": SECONDS}  # fmt: skip
    for processes in (1, 2):
        url = create_postgres_database("bench")
        try:
            for key, value in (await _measure(url, processes)).items():
                figures[f"postgres_{processes}proc_{key}"] = value
        finally:
            drop_postgres_database(url)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        for key, value in (await _measure(url, 1)).items():
            figures[f"sqlite_{key}"] = value
    figures["postgres_target_transfers_per_s"] = 1500
    write_result("banking_transfers", figures)


if __name__ == "__main__":
    asyncio.run(main())
