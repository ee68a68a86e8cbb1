"""The ledger against a plain reference model (hypothesis ``RuleBasedStateMachine``),
on SQLite (and, with fewer runs, on PostgreSQL): deposits, transfers, holds, partial
and full posts, voids, withdrawals, replays of an id with the same body and with a
different one. After every step each account equals the model, every asset sums to
zero, no user account is negative and the reconciliation finds nothing."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from burency_banking.domain.ledger import is_funded
from burency_banking.domain.model import LockedAccount
from burency_banking.ledger import (
    HoldNotPending,
    IdempotencyConflict,
    InsufficientFunds,
    SystemAccount,
    TransferSpec,
)
from burency_banking.service.reconciliation import reconcile
from burency_testing.infra import create_postgres_database, drop_postgres_database

from .banking_testing.harness import LedgerDb, ledger_database

USERS = ["u0", "u1", "u2"]
ASSETS = ["AED", "BTC"]
AMOUNTS = st.integers(min_value=1, max_value=5_000)
_TEMPLATE: dict[str, Path] = {}


def _template_db() -> Path:
    """One migrated database, copied for each run (migrating each time would be slow)."""
    if "path" not in _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="ledger-model-")) / "template.db"

        async def make() -> None:
            async with ledger_database(f"sqlite+aiosqlite:///{path}"):
                pass

        asyncio.run(make())
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


@dataclass
class Hold:
    spec: TransferSpec
    status: str = "pending"


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.cm = ledger_database(self.database_url())
        self.ldb: LedgerDb = self.run(self.cm.__aenter__())
        self.posted: dict[str, int] = {}
        self.held: dict[str, int] = {}
        self.done: dict[str, tuple[Any, Any]] = {}  # id -> (call, original result)
        self.holds: dict[str, Hold] = {}
        self.n = 0

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def database_url(self) -> str:
        self.dir = Path(tempfile.mkdtemp(prefix="ledger-run-"))
        shutil.copy(_template_db(), self.dir / "ledger.db")
        return f"sqlite+aiosqlite:///{self.dir / 'ledger.db'}"

    def drop_database(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def teardown(self) -> None:
        self.run(self.cm.__aexit__(None, None, None))
        self.loop.close()
        self.drop_database()

    def new_id(self) -> str:
        self.n += 1
        return f"t{self.n}"

    async def _tx(self, call: Any) -> Any:
        async with self.ldb.engine.begin() as db:
            return await call(db)

    @initialize()
    def open_accounts(self) -> None:
        async def make(db: Any) -> None:
            for asset in ASSETS:
                for user in USERS:
                    self.posted[await self.ldb.ledger.user_account(db, user, asset)] = 0
                for kind in (SystemAccount.BANK_OMNIBUS, SystemAccount.WITHDRAWALS_IN_FLIGHT):
                    self.posted[await self.ldb.ledger.system_account(db, kind, asset)] = 0

        self.run(self._tx(make))
        self.held = dict.fromkeys(self.posted, 0)

    def funded(self, spec: TransferSpec) -> bool:
        """The domain's funds rule over the model's balances: the reference both the
        SQLite path (Python) and the PostgreSQL fast path (SQL) must agree with."""
        account = LockedAccount(spec.debit, spec.asset, not spec.debit.startswith("usr:"),
                                self.posted[spec.debit], self.held[spec.debit])  # fmt: skip
        return is_funded(account, spec.amount)

    def record(self, spec: TransferSpec) -> Any:
        """Send ``spec`` through the ledger; the model decides what must happen."""
        call = lambda db: self.ldb.ledger.transfer(db, spec)  # noqa: E731
        if not self.funded(spec):
            try:
                self.run(self._tx(call))
            except InsufficientFunds:
                return None
            raise AssertionError(f"{spec.id} overdrew {spec.debit}")
        result = self.run(self._tx(call))
        self.done[spec.id] = (call, result)
        if spec.pending:
            self.held[spec.debit] += spec.amount
            self.holds[spec.id] = Hold(spec)
        else:
            self.posted[spec.debit] -= spec.amount
            self.posted[spec.credit] += spec.amount
        return result

    @rule(user=st.sampled_from(USERS), asset=st.sampled_from(ASSETS), amount=AMOUNTS)
    def deposit(self, user: str, asset: str, amount: int) -> None:
        self.record(TransferSpec(self.new_id(), asset, f"sys:{asset}:bank_omnibus",
                                 f"usr:{asset}:{user}", amount, "deposit.fiat"))  # fmt: skip

    @rule(a=st.sampled_from(USERS), b=st.sampled_from(USERS), asset=st.sampled_from(ASSETS),
          amount=AMOUNTS)  # fmt: skip
    def transfer(self, a: str, b: str, asset: str, amount: int) -> None:
        if a != b:
            self.record(TransferSpec(self.new_id(), asset, f"usr:{asset}:{a}",
                                     f"usr:{asset}:{b}", amount, "internal"))  # fmt: skip

    @rule(user=st.sampled_from(USERS), asset=st.sampled_from(ASSETS), amount=AMOUNTS)
    def withdraw(self, user: str, asset: str, amount: int) -> None:
        self.record(TransferSpec(self.new_id(), asset, f"usr:{asset}:{user}",
                                 f"sys:{asset}:withdrawals_in_flight", amount, "withdrawal",
                                 pending=True))  # fmt: skip

    @precondition(lambda self: bool(self.holds))
    @rule(data=st.data(), void=st.booleans(), part=st.one_of(st.none(), st.integers(1, 5_000)))
    def settle(self, data: st.DataObject, void: bool, part: int | None) -> None:
        hold = self.holds[data.draw(st.sampled_from(sorted(self.holds)))]
        spec, settle_id = hold.spec, self.new_id()
        amount = None if part is None else min(part, spec.amount)
        if void:
            call = lambda db: self.ldb.ledger.void(db, id=settle_id, pending_id=spec.id)  # noqa: E731
        else:
            call = lambda db: self.ldb.ledger.post(  # noqa: E731
                db, id=settle_id, pending_id=spec.id, amount=amount)  # fmt: skip
        if hold.status != "pending":
            try:
                self.run(self._tx(call))
            except HoldNotPending:
                return
            raise AssertionError(f"hold {spec.id} settled twice")
        result = self.run(self._tx(call))
        self.done[settle_id] = (call, result)
        moved = 0 if void else (spec.amount if amount is None else amount)
        assert result.amount == (spec.amount if void else moved)
        self.held[spec.debit] -= spec.amount
        self.posted[spec.debit] -= moved
        self.posted[spec.credit] += moved
        hold.status = "voided" if void else "posted"

    @precondition(lambda self: bool(self.done))
    @rule(data=st.data())
    def replay_same(self, data: st.DataObject) -> None:
        transfer_id = data.draw(st.sampled_from(sorted(self.done)))
        call, original = self.done[transfer_id]
        again = self.run(self._tx(call))
        fields = ("id", "amount", "debit", "credit", "created_at")
        assert [getattr(again, f) for f in fields] == [getattr(original, f) for f in fields]
        if transfer_id in self.holds:
            assert again.status == self.holds[transfer_id].status

    @precondition(lambda self: any(tid not in self.holds for tid in self.done))
    @rule(data=st.data())
    def replay_different(self, data: st.DataObject) -> None:
        tid = data.draw(st.sampled_from(sorted(t for t in self.done if t not in self.holds)))
        original = self.done[tid][1]
        if original.pending_id is not None:
            changed = lambda db: self.ldb.ledger.post(  # noqa: E731
                db, id=tid, pending_id=original.id + "x")  # fmt: skip
            expected: Any = (IdempotencyConflict,)
        else:
            spec = TransferSpec(tid, original.asset, original.debit, original.credit,
                                original.amount + 1, original.kind)  # fmt: skip
            changed = lambda db: self.ldb.ledger.transfer(db, spec)  # noqa: E731
            expected = (IdempotencyConflict,)
        try:
            self.run(self._tx(changed))
        except expected:
            return
        raise AssertionError(f"{tid} replayed with another body was accepted")

    @invariant()
    def matches_the_model(self) -> None:
        async def check(db: Any) -> None:
            for account, posted in self.posted.items():
                balance = await self.ldb.ledger.balance(db, account)
                assert (balance.posted, balance.held) == (posted, self.held[account]), account
                if account.startswith("usr:"):
                    assert balance.available >= 0
            report = await reconcile(db, assets=ASSETS)
            assert report.ok, report.findings

        if self.posted:
            self.run(self._tx(check))
            for asset in ASSETS:
                assert sum(v for k, v in self.posted.items() if f":{asset}:" in k) == 0


class PostgresLedgerMachine(LedgerMachine):
    """The same machine on PostgreSQL, whose transfers take the one-statement path."""

    def database_url(self) -> str:
        self.url = create_postgres_database("model")
        return self.url

    def drop_database(self) -> None:
        drop_postgres_database(self.url)


LedgerMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
test_ledger_matches_the_reference_model = LedgerMachine.TestCase

PostgresLedgerMachine.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
test_ledger_matches_the_reference_model_on_postgres = pytest.mark.postgres(
    PostgresLedgerMachine.TestCase
)
