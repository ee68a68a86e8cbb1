"""Accounts: opening them (``user.registered``), the user directory, balances.

The directory (user id → e-mail) is a local copy of what auth announced, so an internal
transfer "to e-mail X" is resolved without calling another service.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters.orm import inbox, user_directory
from burency_banking.domain.model import AccountInfo
from burency_banking.service.context import BankingContext
from burency_common.db import insert_ignore
from burency_common.events import EventEnvelope, UserRegistered
from burency_common.logging import get_logger
from burency_common.outbox import claim_in_inbox

__all__ = ["INBOX_CONSUMER", "find_user_by_email", "list_accounts", "on_user_registered"]

INBOX_CONSUMER = "banking.accounts"
_log = get_logger("burency.banking")


async def on_user_registered(ctx: BankingContext, envelope: EventEnvelope) -> None:
    """Record the user in the directory and open their default-asset account (once)."""
    payload = ctx.registry.parse_payload(envelope)
    assert isinstance(payload, UserRegistered)
    async with ctx.transaction() as db:
        if not await claim_in_inbox(db, inbox, envelope, consumer=INBOX_CONSUMER):
            return
        await _remember(db, payload.user_id, payload.email, ctx)
        await ctx.ledger.user_account(db, payload.user_id, ctx.settings.default_asset)
    _log.info("banking.account_opened", user_id=payload.user_id)


async def _remember(db: AsyncConnection, user_id: str, email: str, ctx: BankingContext) -> None:
    values = {"user_id": user_id, "email": email.strip().lower(), "created_at": ctx.clock.now()}
    await insert_ignore(db, user_directory, values)


async def find_user_by_email(db: AsyncConnection, email: str) -> str | None:
    """The one user registered with ``email`` (case-insensitive), else None."""
    rows = (
        await db.execute(
            select(user_directory.c.user_id)
            .where(user_directory.c.email == email.strip().lower())
            .limit(2)
        )
    ).all()
    return rows[0].user_id if len(rows) == 1 else None


async def user_exists(db: AsyncConnection, user_id: str) -> bool:
    found = await db.scalar(
        select(user_directory.c.user_id).where(user_directory.c.user_id == user_id)
    )
    return found is not None


async def list_accounts(ctx: BankingContext, *, user_id: str) -> list[AccountInfo]:
    async with ctx.transaction() as db:
        return await ctx.ledger.accounts_of(db, user_id)
