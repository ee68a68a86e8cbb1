"""Withdrawal limits per KYC level: the level comes from ``kyc.status_changed``.

The consumer is idempotent (inbox) and ignores events older than the one applied
last (``changed_at``), so a redelivered or reordered event never lowers a level that
a later decision set. Usage is the sum of the user's withdrawals in the asset that
are not rejected, cancelled or failed, per UTC calendar day and month; a withdrawal is
checked against both while the user's ``user_kyc_levels`` row is locked, so two
concurrent withdrawals cannot both slip under the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters.orm import inbox
from burency_banking.flows.context import Flows
from burency_banking.flows.errors import limit_exceeded
from burency_banking.flows.tables import user_kyc_levels, withdrawals
from burency_common.db import insert_ignore
from burency_common.events import EventEnvelope
from burency_common.events.kyc import KycStatusChanged
from burency_common.outbox import claim_in_inbox

__all__ = ["Usage", "check_and_lock", "level_of", "on_kyc_status_changed", "usage"]

_CONSUMER = "banking.kyc_levels"
NOT_COUNTED = ("REJECTED", "CANCELLED", "FAILED")


@dataclass(frozen=True)
class Usage:
    level: int
    daily_used: int
    monthly_used: int


async def on_kyc_status_changed(flows: Flows, envelope: EventEnvelope) -> None:
    event = KycStatusChanged.model_validate(envelope.payload)
    async with flows.ctx.transaction() as db:
        if not await claim_in_inbox(db, inbox, envelope, consumer=_CONSUMER):
            return
        await insert_ignore(
            db, user_kyc_levels, {"user_id": event.user_id, "level": 0, "changed_at": None}
        )
        c = user_kyc_levels.c
        changed_at = event.changed_at.astimezone(UTC)
        await db.execute(
            update(user_kyc_levels)
            .where(c.user_id == event.user_id)
            .where((c.changed_at.is_(None)) | (c.changed_at <= changed_at))
            .values(level=event.level, changed_at=changed_at)
        )


async def level_of(db: AsyncConnection, user_id: str, *, lock: bool = False) -> int:
    if lock:
        await insert_ignore(
            db, user_kyc_levels, {"user_id": user_id, "level": 0, "changed_at": None}
        )
    query = select(user_kyc_levels.c.level).where(user_kyc_levels.c.user_id == user_id)
    level = await db.scalar(query.with_for_update() if lock else query)
    return int(level or 0)


def _period_starts(now: datetime) -> tuple[datetime, datetime]:
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return day, day.replace(day=1)


async def usage(db: AsyncConnection, user_id: str, asset: str, now: datetime) -> Usage:
    day, month = _period_starts(now)
    w = withdrawals.c
    base = select(func.coalesce(func.sum(w.amount), 0)).where(
        w.user_id == user_id, w.asset == asset, w.status.not_in(NOT_COUNTED)
    )
    daily = await db.scalar(base.where(w.created_at >= day))
    monthly = await db.scalar(base.where(w.created_at >= month))
    return Usage(await level_of(db, user_id), int(daily or 0), int(monthly or 0))


async def check_and_lock(
    flows: Flows, db: AsyncConnection, *, user_id: str, asset: str, amount: int
) -> None:
    """Raise ``WITHDRAWAL_LIMIT_EXCEEDED`` unless ``amount`` fits today's and this
    month's limit; holds the user's limits row locked until the transaction ends."""
    level = await level_of(db, user_id, lock=True)
    _check(flows, await usage(db, user_id, asset, flows.ctx.clock.now()), level, asset, amount)


async def precheck(flows: Flows, *, user_id: str, asset: str, amount: int) -> None:
    """:func:`check_and_lock`'s answer without the lock, asked before the user's 2FA code
    is spent: a withdrawal over the limit is refused while the code is still unused
    (the locked check inside the placing transaction stays the one that counts)."""
    async with flows.ctx.transaction() as db:
        used = await usage(db, user_id, asset, flows.ctx.clock.now())
    _check(flows, used, used.level, asset, amount)


def _check(flows: Flows, used: Usage, level: int, asset: str, amount: int) -> None:
    limit = flows.config.limit(level, asset)
    if used.daily_used + amount > limit.daily:
        raise limit_exceeded("daily")
    if used.monthly_used + amount > limit.monthly:
        raise limit_exceeded("monthly")
