"""Internal transfers between Burency users, by e-mail or user id: instant, idempotent.

The ledger transfer id is derived from (sender, Idempotency-Key), so even two racing
identical requests move the money once. Both users are notified via the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.domain.model import Transfer, TransferSpec
from burency_banking.service import accounts
from burency_banking.service.context import BankingContext
from burency_common.errors import NotFound, ValidationFailed
from burency_common.money import format_amount, parse_money
from burency_common.outbox import stable_event_id

__all__ = ["InternalTransfer", "internal_transfer"]


@dataclass(frozen=True)
class InternalTransfer:
    transfer: Transfer
    sender_id: str
    recipient_id: str


async def _recipient(db: AsyncConnection, *, email: str | None, user_id: str | None) -> str:
    found = None
    if user_id is not None:
        found = user_id if await accounts.user_exists(db, user_id) else None
    elif email is not None:
        found = await accounts.find_user_by_email(db, email)
    if found is None:
        raise NotFound("no Burency user matches the recipient", code="RECIPIENT_NOT_FOUND")
    return found


async def internal_transfer(
    ctx: BankingContext,
    db: AsyncConnection,
    *,
    sender_id: str,
    key: str,
    to_email: str | None,
    to_user_id: str | None,
    asset: str,
    amount: str,
    memo: str | None,
) -> InternalTransfer:
    """Move ``amount`` of ``asset`` from the sender to the recipient, in ``db``."""
    minor = parse_money(ctx.assets, asset, amount)
    recipient = await _recipient(db, email=to_email, user_id=to_user_id)
    if recipient == sender_id:
        raise ValidationFailed("you cannot transfer to yourself", code="SELF_TRANSFER")
    source = await ctx.ledger.user_account(db, sender_id, asset)
    target = await ctx.ledger.user_account(db, recipient, asset)
    transfer_id = stable_event_id("internal", sender_id, key)
    spec = TransferSpec(transfer_id, asset, source, target, minor, "internal", memo=memo)
    transfer = await ctx.ledger.transfer(db, spec)
    shown = format_amount(minor, ctx.assets.get(asset))
    for user, event, other in (
        (sender_id, "banking.transfer.sent", recipient),
        (recipient, "banking.transfer.received", sender_id),
    ):
        await ctx.outbox.notify(
            db,
            user_id=user,
            event=event,
            data={"transferId": transfer_id, "asset": asset, "amount": shown, "otherUserId": other},
            notification_id=stable_event_id(event, transfer_id),
        )
    return InternalTransfer(transfer, sender_id, recipient)
