"""``reconcile``: run the reconciliation against a banking database and print the report.

Used by ``burency reconcile`` (the platform's command); exits non-zero when anything is
off. The service is built but not started: the checks read the database only (and
whatever the checks registered in the context read, e.g. the chain adapter).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from burency_banking.component import build_component
from burency_banking.service.reconciliation import ReconciliationReport, reconcile
from burency_banking.settings import BankingSettings
from burency_common.timeutil import to_iso_ms

__all__ = ["report_json", "run_reconciliation"]


async def run_reconciliation(
    settings: BankingSettings,
    *,
    trading_client: httpx.AsyncClient | None = None,
    identity_secret: bytes | None = None,
) -> ReconciliationReport:
    """``trading_client`` (or ``BURENCY_TRADING_URL``) adds the trading wallets; it
    checks the identity banking signs with ``identity_secret``."""
    component = build_component(
        settings, identity_secret=identity_secret, trading_client=trading_client
    )
    try:
        ctx = component.context
        async with ctx.transaction() as db:
            return await reconcile(
                db, assets=ctx.assets.symbols(), checks=ctx.reconciliation_checks
            )
    finally:
        await component.stop()


def report_json(report: ReconciliationReport) -> str:
    body: dict[str, Any] = {
        "ok": report.ok,
        "checkedAt": to_iso_ms(report.checked_at),
        "checks": report.checks,
        "assets": {a: not found for a, found in report.by_asset().items()},
        "findings": [
            {"check": f.check, "asset": f.asset, "detail": f.detail} for f in report.findings
        ],
    }
    return json.dumps(body, indent=2)
