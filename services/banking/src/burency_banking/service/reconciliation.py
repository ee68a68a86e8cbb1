"""Reconciliation: prove, per asset, that the ledger is consistent.

:func:`reconcile` runs a list of checks, each an ``async (db) -> list[Finding]`` (a
finding is something that is off). The ledger's own checks are :data:`LEDGER_CHECKS`;
other parts of the service add theirs to ``BankingContext.reconciliation_checks``
(e.g. "custody matches the chain adapter"), one line each.

Checks, all computed by SQL aggregates from scratch (never from the cached balances
they are verifying):

* ``sums_to_zero``: per asset, the posted balances of all accounts sum to exactly 0;
* ``no_negative_user_accounts``: no user account has posted, held or available < 0;
* ``cached_balances_match``: each account's cached ``posted`` equals credits minus
  debits of the transfers that moved money, and ``held`` equals its open holds;
* ``holds_settled_once``: an open hold has no settlement; a posted hold exactly one
  ``post`` record (not more than the hold), a voided one exactly one void record, and
  every settlement record points to a hold.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from burency_banking.adapters.orm import ledger_accounts, ledger_transfers
from burency_common.timeutil import utc_now

__all__ = [
    "LEDGER_CHECKS",
    "Finding",
    "ReconciliationCheck",
    "ReconciliationReport",
    "reconcile",
]

_A = ledger_accounts.c
_T = ledger_transfers.c


@dataclass(frozen=True)
class Finding:
    """One thing that is off: which check found it, in which asset, what exactly."""

    check: str
    asset: str | None
    detail: str


@dataclass(frozen=True)
class ReconciliationCheck:
    name: str
    run: Callable[[AsyncConnection], Awaitable[list[Finding]]]


@dataclass
class ReconciliationReport:
    checked_at: datetime
    checks: list[str]
    assets: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def by_asset(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {asset: [] for asset in self.assets}
        for finding in self.findings:
            grouped.setdefault(finding.asset or "*", []).append(finding)
        return grouped


async def _sums_to_zero(db: AsyncConnection) -> list[Finding]:
    rows = (await db.execute(select(_A.asset, func.sum(_A.posted)).group_by(_A.asset))).all()
    return [
        Finding("sums_to_zero", asset, f"accounts sum to {int(total)}, not 0")
        for asset, total in rows
        if int(total or 0) != 0
    ]


async def _no_negative_user_accounts(db: AsyncConnection) -> list[Finding]:
    rows = (
        await db.execute(
            select(_A.id, _A.asset, _A.posted, _A.held).where(
                ~_A.is_system, or_(_A.posted < 0, _A.held < 0, _A.posted - _A.held < 0)
            )
        )
    ).all()
    return [
        Finding("no_negative_user_accounts", r.asset, f"{r.id}: posted {r.posted}, held {r.held}")
        for r in rows
    ]


def _moved_money() -> ColumnElement[bool]:
    """Rows whose amount moved posted balances: plain posted transfers and hold postings."""
    plain = and_(~_T.hold, _T.pending_id.is_(None), _T.status == "posted")
    return or_(plain, _T.status == "post")


async def _cached_balances_match(db: AsyncConnection) -> list[Finding]:
    moved = _moved_money()
    legs = union_all(
        select(_T.credit.label("account"), _T.amount.label("delta")).where(moved),
        select(_T.debit.label("account"), (literal(0) - _T.amount).label("delta")).where(moved),
    ).subquery()
    posted = (
        select(legs.c.account, func.sum(legs.c.delta).label("total"))
        .group_by(legs.c.account)
        .subquery()
    )
    held = (
        select(_T.debit.label("account"), func.sum(_T.amount).label("total"))
        .where(_T.hold, _T.status == "pending")
        .group_by(_T.debit)
        .subquery()
    )
    stmt = (
        select(_A.id, _A.asset, _A.posted, _A.held, posted.c.total, held.c.total)
        .outerjoin(posted, posted.c.account == _A.id)
        .outerjoin(held, held.c.account == _A.id)
    )
    findings = []
    for account, asset, cached_posted, cached_held, real_posted, real_held in (
        await db.execute(stmt)
    ).all():
        if (int(cached_posted), int(cached_held)) != (int(real_posted or 0), int(real_held or 0)):
            findings.append(
                Finding(
                    "cached_balances_match",
                    asset,
                    f"{account}: cached {cached_posted}/{cached_held}, "
                    f"transfers say {int(real_posted or 0)}/{int(real_held or 0)}",
                )
            )
    return findings


async def _holds_settled_once(db: AsyncConnection) -> list[Finding]:
    hold = ledger_transfers.alias("hold")
    settle = ledger_transfers.alias("settle")
    stmt = (
        select(hold.c.id, hold.c.asset, hold.c.status, hold.c.amount,
               func.count(settle.c.id), func.min(settle.c.status), func.max(settle.c.amount))
        .outerjoin(settle, settle.c.pending_id == hold.c.id)
        .where(hold.c.hold)
        .group_by(hold.c.id, hold.c.asset, hold.c.status, hold.c.amount)
    )  # fmt: skip
    expected = {"pending": (0, None), "posted": (1, "post"), "voided": (1, "voided")}
    findings = []
    for hold_id, asset, status, amount, count, kind, settled in (await db.execute(stmt)).all():
        ok = (int(count), kind) == expected.get(status, (-1, None))
        if ok and status == "posted" and int(settled) > int(amount):
            ok = False
        if not ok:
            detail = f"hold {hold_id} is {status} with {count} settlement(s) ({kind})"
            findings.append(Finding("holds_settled_once", asset, detail))
    orphans = (
        await db.execute(
            select(settle.c.id, settle.c.asset)
            .outerjoin(hold, and_(hold.c.id == settle.c.pending_id, hold.c.hold))
            .where(settle.c.pending_id.is_not(None), hold.c.id.is_(None))
        )
    ).all()
    findings += [
        Finding("holds_settled_once", asset, f"settlement {tid} has no hold")
        for tid, asset in orphans
    ]
    return findings


LEDGER_CHECKS: tuple[ReconciliationCheck, ...] = (
    ReconciliationCheck("sums_to_zero", _sums_to_zero),
    ReconciliationCheck("no_negative_user_accounts", _no_negative_user_accounts),
    ReconciliationCheck("cached_balances_match", _cached_balances_match),
    ReconciliationCheck("holds_settled_once", _holds_settled_once),
)


async def reconcile(
    db: AsyncConnection,
    *,
    assets: Sequence[str],
    checks: Sequence[ReconciliationCheck] = LEDGER_CHECKS,
) -> ReconciliationReport:
    """Run every check in one transaction (``db``) and collect what is off."""
    report = ReconciliationReport(
        checked_at=utc_now(), checks=[c.name for c in checks], assets=list(assets)
    )
    for check in checks:
        report.findings.extend(await check.run(db))
    return report
