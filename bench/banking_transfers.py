"""Ledger throughput: transfers per second and p50/p99 latency with 16 concurrent clients.

Measured at the ledger-service level, not over HTTP: each client runs, in its own
transaction, one ``Ledger.transfer`` between two random user accounts of 200 (the
same code the HTTP endpoints and the flows call), on PostgreSQL and on SQLite. On
PostgreSQL the 16 clients run in one service process, then split over two processes
(the way distributed mode runs several instances): one Python process saturates one
core well before PostgreSQL does.
Target: >= 1,500 transfers/s on PostgreSQL on the 2-core development machine.

Throughput on a shared host moves with other tenants' load, so every run also reports
what a transfer costs: CPU microseconds per transfer in the service processes and in
the local PostgreSQL processes (from /proc; everything PostgreSQL did during the run,
so an upper bound). Two cores divided by their sum is the machine's capacity.

Needs PostgreSQL (``source var/infra.env``; read from there when not in the environment).
``BENCH_SECONDS`` (default 10) sets each run's duration, ``BENCH_REPEATS`` (default 5)
how many runs each configuration gets; the median run is reported, with every run's
throughput beside it.
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from _common import percentile, write_result  # noqa: E402
from _ledger_db import ledger_database  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from burency_banking.ledger import TransferSpec  # noqa: E402
from burency_testing.infra import (  # noqa: E402
    create_postgres_database,
    drop_postgres_database,
)

CLIENTS = 16
ACCOUNTS = 200
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))


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


Run = tuple[list[float], float, float, float]


async def _clients(url: str, accounts: list[str], clients: int, seed: int, start_at: float) -> Run:
    """Run ``clients`` concurrent clients for SECONDS from wall-clock time ``start_at``;
    returns their latencies (s), the wall-clock start and end of the run, and the CPU
    seconds this process spent in it."""
    async with ledger_database(url) as ldb:
        await _open_connections(ldb.engine, clients)
        # Every process starts at the same moment, after its imports and connections.
        await asyncio.sleep(max(0.0, start_at - time.time()))
        latencies: list[float] = []
        cpu_before = _own_cpu_seconds()
        started_at = time.time()
        deadline = time.perf_counter() + SECONDS
        counter = iter(range(10**9))

        async def client(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.perf_counter() < deadline:
                debit, credit = rng.sample(accounts, 2)
                spec = TransferSpec(f"b{seed}-{next(counter)}", "AED", debit, credit, 1, "i")
                started = time.perf_counter()
                async with ldb.engine.begin() as db:  # one unit of work, as a flow opens it
                    await ldb.ledger.transfer(db, spec)
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(client(i) for i in range(clients)))
        ended_at, cpu = time.time(), _own_cpu_seconds() - cpu_before
    return latencies, started_at, ended_at, cpu


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _postgres_cpu_seconds() -> float:
    """CPU time of every local ``postgres`` process (backends, WAL writer, ...), from
    /proc: the database's share of a transfer, whatever else the host is running.
    Backends that exited are in the postmaster's children's time (cutime, cstime)."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            if fields[0].endswith("(postgres"):
                total += sum(int(ticks_) for ticks_ in fields[1].split()[11:15])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return total / ticks


async def _open_connections(engine: AsyncEngine, count: int) -> None:
    """Fill the pool before the clock starts: connecting is not part of a transfer."""

    async def one() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    await asyncio.gather(*(one() for _ in range(count)))


def _process(url: str, accounts: list[str], clients: int, seed: int, start_at: float) -> Run:
    return asyncio.run(_clients(url, accounts, clients, seed, start_at))


async def _measure(url: str, processes: int) -> dict[str, float]:
    """16 clients in total, spread over ``processes`` service processes."""
    async with ledger_database(url) as ldb:
        accounts = [await ldb.fund(f"bench-{i}", "AED", 10**12) for i in range(ACCOUNTS)]
    pg_cpu_before = _postgres_cpu_seconds()
    if processes == 1:
        runs = [await _clients(url, accounts, CLIENTS, 0, time.time())]
    else:
        loop = asyncio.get_running_loop()
        start_at = time.time() + 5  # time enough for each process to import and connect
        with ProcessPoolExecutor(processes) as pool:
            runs = list(await asyncio.gather(*(
                loop.run_in_executor(pool, _process, url, accounts, CLIENTS // processes, n,
                                     start_at)
                for n in range(processes))))  # fmt: skip
    pg_cpu = _postgres_cpu_seconds() - pg_cpu_before
    latencies = [x for run, _, _, _ in runs for x in run]
    elapsed = max(run[2] for run in runs) - min(run[1] for run in runs)
    async with ledger_database(url) as ldb:
        assert await ldb.sum_posted("AED") == 0
    per_transfer_us = 1e6 / len(latencies)
    figures = {
        "transfers_per_s": round(len(latencies) / elapsed),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "transfers": len(latencies),
        "python_cpu_us_per_transfer": round(sum(run[3] for run in runs) * per_transfer_us),
    }
    if url.startswith("postgresql"):  # includes set-up and checks: an upper bound
        figures["postgres_cpu_us_per_transfer"] = round(pg_cpu * per_transfer_us)
    return figures


async def _postgres(processes: int) -> dict[str, float]:
    url = create_postgres_database("bench")
    try:
        return await _measure(url, processes)
    finally:
        drop_postgres_database(url)


async def _sqlite() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        return await _measure(f"sqlite+aiosqlite:///{tmp}/bench.db", 1)


async def _median_of_runs(
    name: str, run: Callable[[], Awaitable[dict[str, float]]]
) -> dict[str, object]:
    """REPEATS runs, each on a fresh database; the figures of the median run by
    throughput, and every run's throughput (the shared machine's noise is ±25%)."""
    runs = [await run() for _ in range(REPEATS)]
    runs.sort(key=lambda figures: figures["transfers_per_s"])
    figures: dict[str, object] = {f"{name}_{k}": v for k, v in runs[len(runs) // 2].items()}
    figures[f"{name}_runs_transfers_per_s"] = [r["transfers_per_s"] for r in runs]
    return figures


async def main() -> None:
    _load_infra_env()
    figures: dict[str, object] = {"level": "ledger service (Ledger.transfer), not HTTP",
                                  "clients": CLIENTS, "seconds": SECONDS,
                                  "runs": REPEATS}  # fmt: skip
    for processes in (1, 2):
        figures |= await _median_of_runs(
            f"postgres_{processes}proc", functools.partial(_postgres, processes)
        )
    figures |= await _median_of_runs("sqlite", _sqlite)
    figures["postgres_target_transfers_per_s"] = 1500
    write_result("banking_transfers", figures)


if __name__ == "__main__":
    asyncio.run(main())
