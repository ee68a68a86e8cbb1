"""Reconciliation check ``trading_matches_clearing``: per asset, what the trading core
holds for users equals what banking sent it.

Money reaches trading wallets only through the ``wallet.transfer.*`` saga, which moves
it between a user's funding account and the ``trading_clearing`` account here. So
``posted(TRADING_CLEARING)`` must equal the trading core's net transferred amount, and
the trading core's users' balances plus its fees must equal that amount too. Together
with "the ledger sums to zero" this proves, per asset, funding balances + trading
balances + fees = deposits - withdrawals, to the minor unit.

Trading is asked over its internal API (``GET /internal/v1/positions``, with a signed
``service:banking`` identity; in embedded mode an in-process ASGI client). A transfer
in flight shows as a difference until its saga completes (the finding names the holds
still open towards trading); an unreachable trading core is a finding, never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters.orm import ledger_accounts, ledger_transfers
from burency_banking.domain.ledger import system_account_id
from burency_banking.domain.model import SystemAccount
from burency_banking.service.reconciliation import Finding, ReconciliationCheck
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.money import AssetRegistry, parse_amount
from burency_common.timeutil import utc_now

__all__ = ["CHECK_NAME", "POSITIONS_PATH", "trading_check"]

CHECK_NAME = "trading_matches_clearing"
POSITIONS_PATH = "/internal/v1/positions"
_SERVICE = Identity(user_id="service:banking", roles=frozenset({"service"}))


async def _clearing(db: AsyncConnection) -> dict[str, int]:
    a = ledger_accounts.c
    rows = await db.execute(
        select(a.asset, func.coalesce(func.sum(a.posted), 0))
        .where(a.kind == SystemAccount.TRADING_CLEARING.value)
        .group_by(a.asset)
    )
    return {asset: int(total) for asset, total in rows.all()}


async def _open_holds_to_trading(db: AsyncConnection, asset: str) -> int:
    t = ledger_transfers.c
    total = await db.scalar(
        select(func.coalesce(func.sum(t.amount), 0)).where(
            t.asset == asset,
            t.credit == system_account_id(SystemAccount.TRADING_CLEARING, asset),
            t.status == "pending",
        )
    )
    return int(total or 0)


async def _positions(http: httpx.AsyncClient, secret: bytes) -> Mapping[str, Any]:
    header = sign_identity(_SERVICE, secret=secret, now=utc_now())
    response = await http.get(POSITIONS_PATH, headers={IDENTITY_HEADER: header})
    response.raise_for_status()
    body: Mapping[str, Any] = response.json()
    return body


def trading_check(
    http: httpx.AsyncClient, *, identity_secret: bytes, assets: AssetRegistry
) -> ReconciliationCheck:
    async def run(db: AsyncConnection) -> list[Finding]:
        try:
            positions = (await _positions(http, identity_secret))["assets"]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            return [Finding(CHECK_NAME, None, f"the trading core did not answer: {exc!r}")]
        clearing = await _clearing(db)
        findings = []
        for asset in sorted(set(clearing) | set(positions)):
            if asset not in assets:
                findings.append(Finding(CHECK_NAME, asset, "unknown asset in trading"))
                continue
            scale = assets.get(asset).scale
            found = positions.get(asset, {})
            net = parse_amount(found.get("netTransferred", "0"), scale)
            if not found.get("balanced", True):
                findings.append(Finding(CHECK_NAME, asset,
                    f"trading: users {found['users']} + fees {found['fees']} != net "
                    f"transferred {found['netTransferred']}"))  # fmt: skip
            if clearing.get(asset, 0) != net:
                in_flight = await _open_holds_to_trading(db, asset)
                findings.append(Finding(CHECK_NAME, asset,
                    f"trading_clearing {clearing.get(asset, 0)} != trading's net transferred "
                    f"{net} (minor units; {in_flight} still held towards trading)"))  # fmt: skip
        return findings

    return ReconciliationCheck(CHECK_NAME, run)
