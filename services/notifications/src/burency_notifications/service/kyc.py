"""Consumer of ``kyc.status_changed``: each recipient's KYC level, for segments.

Idempotent twice over: the inbox claim makes a redelivered envelope a no-op, and the
level only moves when the event is newer than the one applied (``updated_at`` holds
the event's ``changed_at``), so a late, older event never overwrites a newer level.
"""

from __future__ import annotations

from pydantic import ValidationError

from burency_common.db import upsert
from burency_common.errors import EventSchemaError
from burency_common.events import EventEnvelope
from burency_common.events.kyc import KycStatusChanged
from burency_common.logging import get_logger
from burency_common.outbox import claim_in_inbox
from burency_notifications.adapters.orm import inbox, recipient_kyc
from burency_notifications.service.context import NotificationsContext

__all__ = ["INBOX_CONSUMER", "on_kyc_status_changed"]

INBOX_CONSUMER = "notifications.kyc"
_log = get_logger("burency.notifications")


async def on_kyc_status_changed(ctx: NotificationsContext, envelope: EventEnvelope) -> None:
    try:
        event = KycStatusChanged.model_validate(envelope.payload)
    except ValidationError as exc:
        raise EventSchemaError("kyc.status_changed payload invalid") from exc
    async with ctx.transaction() as db:
        if not await claim_in_inbox(db, inbox, envelope, consumer=INBOX_CONSUMER):
            return
        await upsert(
            db,
            recipient_kyc,
            {"user_id": event.user_id, "level": event.level, "updated_at": event.changed_at},
            index_elements=["user_id"],
            where=lambda new: recipient_kyc.c.updated_at <= new.updated_at,  # newest wins
        )
    _log.info("recipient.kyc_level", user_id=event.user_id, level=event.level)
