"""The ledger under real concurrency on PostgreSQL: 16 workers run 5,000 random
transfers and withdrawals (holds, then posted in full or in part, or voided) across 50
accounts and 3 assets; 30% of the requests are sent again with the same id, possibly
at the same moment by another worker. Afterwards every asset sums to exactly zero, no
user account is negative, every acknowledged transfer exists exactly once, and each
cached balance equals what the acknowledged operations imply."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters.orm import ledger_accounts, ledger_transfers
from burency_banking.ledger import InsufficientFunds, SystemAccount, TransferSpec
from burency_banking.service.reconciliation import reconcile

from .banking_testing.harness import LedgerDb

pytestmark = pytest.mark.postgres

WORKERS = 16
OPERATIONS = 5_000
RESEND = 0.30
USERS = [f"user{i:02d}" for i in range(50)]
ASSETS = ["AED", "BTC", "USDT"]
START = 50_000


@dataclass
class Op:
    id: str
    call: Callable[[AsyncConnection], Awaitable[Any]]
    effect: tuple[str, str, int, int] | None  # (debit, credit, posted moved, held change)
    follow: Op | None = None  # a withdrawal's settlement, run after its hold succeeds


def _ops(ldb: LedgerDb, rng: random.Random) -> list[Op]:
    ops = []
    for n in range(OPERATIONS):
        asset = rng.choice(ASSETS)
        a, b = rng.sample(USERS, 2)
        debit, amount = f"usr:{asset}:{a}", rng.randint(1, 4_000)
        if rng.random() < 0.6:
            spec = TransferSpec(f"t{n}", asset, debit, f"usr:{asset}:{b}", amount, "internal")
            ops.append(Op(spec.id, lambda db, s=spec: ldb.ledger.transfer(db, s),
                          (spec.debit, spec.credit, amount, 0)))  # fmt: skip
            continue
        flight = f"sys:{asset}:withdrawals_in_flight"
        hold = TransferSpec(f"w{n}", asset, debit, flight, amount, "withdrawal", pending=True)
        choice = rng.choice(["full", "part", "void"])
        moved = {"full": amount, "part": max(1, amount // 2), "void": 0}[choice]
        partial = None if choice == "full" else moved

        async def settle(db: AsyncConnection, h: str = hold.id, void: bool = choice == "void",
                         m: int | None = partial) -> Any:  # fmt: skip
            if void:
                return await ldb.ledger.void(db, id=f"{h}:s", pending_id=h)
            return await ldb.ledger.post(db, id=f"{h}:s", pending_id=h, amount=m)

        follow = Op(f"{hold.id}:s", settle, (debit, flight, moved, -amount))
        ops.append(Op(hold.id, lambda db, s=hold: ldb.ledger.transfer(db, s),
                      (debit, flight, 0, amount), follow))  # fmt: skip
    return ops


async def _setup(ldb: LedgerDb) -> None:
    async with ldb.engine.begin() as db:
        for asset in ASSETS:
            await ldb.ledger.system_account(db, SystemAccount.WITHDRAWALS_IN_FLIGHT, asset)
    for user in USERS:
        for asset in ASSETS:
            await ldb.fund(user, asset, START)


@pytest.fixture
async def pg_ledger(postgres_database_factory: Callable[..., str]) -> Any:
    from .banking_testing.harness import ledger_database

    async with ledger_database(postgres_database_factory()) as ldb:
        yield ldb


async def _run_load(
    ldb: LedgerDb, ops: list[Op], resends: set[str]
) -> tuple[dict[str, Op], dict[str, list[Any]]]:
    """16 workers drain the queue; returns the acknowledged ops and every answer."""
    queue: asyncio.Queue[Op] = asyncio.Queue()
    for op in ops:  # a resend follows its original at once: two workers race on one id
        for _ in range(2 if op.id in resends else 1):
            await queue.put(op)
    acked: dict[str, Op] = {}
    results: dict[str, list[Any]] = defaultdict(list)

    async def run(op: Op) -> None:
        try:
            async with ldb.engine.begin() as db:
                result = await op.call(db)
        except InsufficientFunds:
            return
        acked[op.id] = op
        results[op.id].append(result)
        if op.follow is not None:
            for _ in range(2 if op.id in resends else 1):
                await queue.put(op.follow)

    async def worker() -> None:
        while True:
            op = await queue.get()
            try:
                await run(op)
            finally:
                queue.task_done()

    tasks = [asyncio.create_task(worker()) for _ in range(WORKERS)]
    await queue.join()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return acked, results


def _expected_balances(acked: dict[str, Op]) -> dict[str, tuple[int, int]]:
    """(posted, held) per account implied by the seed deposits and the acked ops."""
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for user in USERS:
        for asset in ASSETS:
            expected[f"usr:{asset}:{user}"][0] += START
            expected[f"sys:{asset}:bank_omnibus"][0] -= START
    for op in acked.values():
        assert op.effect is not None
        debit, credit, moved, held = op.effect
        expected[debit][0] -= moved
        expected[credit][0] += moved
        expected[debit][1] += held
    return {k: (v[0], v[1]) for k, v in expected.items()}


@pytest.mark.timeout(600)
async def test_concurrent_load_keeps_every_invariant(pg_ledger: LedgerDb) -> None:
    ldb, rng = pg_ledger, random.Random(7)
    await _setup(ldb)
    ops = _ops(ldb, rng)
    resends = {op.id for op in rng.sample(ops, int(OPERATIONS * RESEND))}
    acked, results = await _run_load(ldb, ops, resends)

    # every resend of an acknowledged request got the same answer as the first time
    for op_id, answers in results.items():
        assert len({(r.id, r.amount, r.created_at) for r in answers}) == 1, op_id
    assert len(acked) > OPERATIONS // 2
    async with ldb.engine.connect() as conn:
        stored = dict((await conn.execute(
            select(ledger_transfers.c.id, func.count()).where(ledger_transfers.c.id.in_(acked))
            .group_by(ledger_transfers.c.id))).all())  # fmt: skip
        balances = {r.id: (r.posted, r.held) for r in await conn.execute(select(ledger_accounts))}
    assert set(stored) == set(acked)
    assert set(stored.values()) == {1}
    expected = _expected_balances(acked)
    assert expected == {k: v for k, v in balances.items() if k in expected or v != (0, 0)}
    for account, (posted, held) in balances.items():
        if account.startswith("usr:"):
            assert posted - held >= 0, account
    async with ldb.engine.begin() as db:
        report = await reconcile(db, assets=ASSETS)
    assert report.ok, report.findings
    for asset in ASSETS:
        assert await ldb.sum_posted(asset) == 0
