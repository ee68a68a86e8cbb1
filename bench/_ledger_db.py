"""A bare migrated banking ledger database for the ledger benchmark (bench/ does not
import services' test helpers; the banking tests have the same helper in their harness).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_banking.adapters.db import create_banking_engine
from burency_banking.adapters.orm import ledger_accounts
from burency_banking.component import MIGRATIONS
from burency_banking.ledger import Ledger, SystemAccount, TransferSpec
from burency_banking.settings import DEFAULT_ASSETS
from burency_common.db import migrate
from burency_common.ids import new_id
from burency_common.money import AssetRegistry


@dataclass
class LedgerDb:
    """A migrated banking database (``engine.begin()`` is a unit of work) and a Ledger on it."""

    engine: AsyncEngine
    ledger: Ledger

    async def fund(self, user_id: str, asset: str, amount: int) -> str:
        """Deposit ``amount`` to the user's account from the asset's bank omnibus account."""
        async with self.engine.begin() as db:
            account = await self.ledger.user_account(db, user_id, asset)
            source = await self.ledger.system_account(db, SystemAccount.BANK_OMNIBUS, asset)
            await self.ledger.transfer(
                db, TransferSpec(new_id(), asset, source, account, amount, "deposit.fiat")
            )
        return account

    async def sum_posted(self, asset: str) -> int:
        async with self.engine.connect() as conn:
            total = await conn.scalar(
                select(func.coalesce(func.sum(ledger_accounts.c.posted), 0)).where(
                    ledger_accounts.c.asset == asset
                )
            )
        return int(total or 0)


@asynccontextmanager
async def ledger_database(url: str) -> AsyncIterator[LedgerDb]:
    engine = create_banking_engine(url)
    try:
        await migrate(engine, MIGRATIONS)
        yield LedgerDb(engine, Ledger(AssetRegistry.from_config(DEFAULT_ASSETS)))
    finally:
        await engine.dispose()
