"""Consumer of ``kyc.status_changed``: each recipient's KYC level, for segments.

Idempotent twice over: the inbox claim makes a redelivered envelope a no-op, and the
level only moves when the event is newer than the one applied (``updated_at`` holds
the event's ``changed_at``), so a late, older event never overwrites a newer level.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite

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
        dialect = db.bind.dialect.name if db.bind is not None else "sqlite"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(recipient_kyc).values(
            user_id=event.user_id, level=event.level, updated_at=event.changed_at
        )
        await db.execute(
            stmt.on_conflict_do_update(
                index_elements=["user_id"],
                set_={"level": stmt.excluded.level, "updated_at": stmt.excluded.updated_at},
                where=recipient_kyc.c.updated_at <= stmt.excluded.updated_at,
            )
        )
    _log.info("recipient.kyc_level", user_id=event.user_id, level=event.level)
