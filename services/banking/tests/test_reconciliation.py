"""Reconciliation: a clean ledger passes every check; each kind of damage (a cached
balance edited behind the ledger's back, a negative user account, an unbalanced
asset, a hold settled twice) is found and named. Served to staff with the
``banking.reconcile`` permission, and by ``burency reconcile`` with its exit code."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from burency_banking.adapters.orm import ledger_accounts, ledger_transfers
from burency_banking.ledger import SystemAccount, TransferSpec
from burency_banking.service.reconciliation import reconcile
from burency_common.timeutil import utc_now

from .banking_testing.harness import Harness, LedgerDb


async def _report(ldb: LedgerDb):  # type: ignore[no-untyped-def]
    async with ldb.engine.begin() as db:
        return await reconcile(db, assets=["AED", "BTC"])


async def _busy_ledger(ldb: LedgerDb) -> str:
    alice = await ldb.fund("alice", "AED", 10_000)
    async with ldb.engine.begin() as db:
        bob = await ldb.ledger.user_account(db, "bob", "AED")
        flight = await ldb.ledger.system_account(db, SystemAccount.WITHDRAWALS_IN_FLIGHT, "AED")
        await ldb.ledger.transfer(db, TransferSpec("t", "AED", alice, bob, 1_000, "internal"))
        for hold in ("h1", "h2", "h3"):
            await ldb.ledger.transfer(
                db, TransferSpec(hold, "AED", alice, flight, 500, "withdrawal", pending=True)
            )
        await ldb.ledger.post(db, id="p1", pending_id="h1", amount=300)
        await ldb.ledger.void(db, id="v2", pending_id="h2")
    return alice


async def test_a_clean_ledger_passes(ledger_db: LedgerDb) -> None:
    await _busy_ledger(ledger_db)
    report = await _report(ledger_db)
    assert report.ok, report.findings
    assert report.checks == ["sums_to_zero", "no_negative_user_accounts",
                             "cached_balances_match", "holds_settled_once"]  # fmt: skip


async def test_an_edited_cached_balance_is_found(ledger_db: LedgerDb) -> None:
    alice = await _busy_ledger(ledger_db)
    async with ledger_db.engine.begin() as conn:
        await conn.execute(
            update(ledger_accounts).where(ledger_accounts.c.id == alice)
            .values(posted=ledger_accounts.c.posted + 1)
        )  # fmt: skip
    report = await _report(ledger_db)
    assert {f.check for f in report.findings} == {"sums_to_zero", "cached_balances_match"}
    assert {f.asset for f in report.findings} == {"AED"}


async def test_a_hold_settled_twice_is_found(ledger_db: LedgerDb) -> None:
    await _busy_ledger(ledger_db)
    row = {"asset": "AED", "debit": "usr:AED:alice", "credit": "sys:AED:withdrawals_in_flight",
           "amount": 1, "kind": "withdrawal", "hold": False, "reference": None, "memo": None,
           "created_at": utc_now()}  # fmt: skip
    async with ledger_db.engine.begin() as conn:  # bypassing the ledger and its unique index
        await conn.execute(insert(ledger_transfers).values(
            id="orphan", status="voided", pending_id="missing", **row))  # fmt: skip
    report = await _report(ledger_db)
    assert [(f.check, f.detail) for f in report.findings] == [
        ("holds_settled_once", "settlement orphan has no hold")
    ]


async def test_admin_endpoint_needs_the_permission(h: Harness) -> None:
    user = await h.register()
    await h.deposit(user, "AED", 100)
    refused = await h.call("GET", "/v1/admin/reconciliation", user, "support")
    assert (refused.status_code, refused.json()["code"]) == (403, "PERMISSION_DENIED")
    response = await h.call("GET", "/v1/admin/reconciliation", "staff", "compliance")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    assert body["assets"] == {"AED": True, "USDT": True, "BTC": True, "ETH": True}
    async with h.component.engine.begin() as conn:
        await conn.execute(update(ledger_accounts).values(posted=ledger_accounts.c.posted + 7))
    damaged = (await h.call("GET", "/v1/admin/reconciliation", "admin", "admin")).json()
    assert damaged["ok"] is False
    assert damaged["assets"]["AED"] is False


# In distributed mode the command runs with the banking service's own settings, and
# needs nothing else (it once demanded the gateway's BURENCY_JWKS_URL).
DISTRIBUTED_BANKING = {
    "BURENCY_MODE": "distributed",
    "BURENCY_IDENTITY_SECRET": "i" * 40,
    "BURENCY_CHAIN_ADDRESS_SEED": "s" * 40,
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode_env", [{}, DISTRIBUTED_BANKING], ids=["embedded", "distributed"])
async def test_burency_reconcile_exit_code(
    h: Harness, tmp_path: Path, mode_env: dict[str, str]
) -> None:
    await h.deposit(await h.register(), "AED", 100)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
    env |= {"BURENCY_DATABASE_URL": str(h.component.settings.database_url), **mode_env}

    async def run() -> tuple[int, str, str]:
        # asynchronously: the service in this process must keep running meanwhile
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "burency_platform.cli", "reconcile", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        return int(proc.returncode or 0), out.decode(), err.decode()

    code, out, err = await run()
    assert code == 0, err
    assert json.loads(out)["ok"] is True
    async with h.component.engine.begin() as conn:
        await conn.execute(  # the CHECK constraint stops this on user accounts
            update(ledger_accounts).where(ledger_accounts.c.is_system)
            .values(posted=ledger_accounts.c.posted + 5)
        )  # fmt: skip
    code, out, err = await run()
    assert code == 1, err
    findings = json.loads(out)["findings"]
    assert {f["check"] for f in findings} == {"sums_to_zero", "cached_balances_match"}
