"""Consumer of ``user.profile_updated``: recipients' phone, language and country.

The event is a snapshot of the profile's reachable fields at ``changed_at``. Applying
it is one upsert, guarded twice so that the directory only ever moves forward:

* the inbox claim makes a redelivered envelope a no-op;
* the update only applies when ``changed_at`` is newer than the snapshot already
  applied (``recipients.profile_changed_at``), so an older update arriving late
  (a retry, a replay, another partition's lag) never overwrites a newer one.

The row may not exist yet: ``user.registered`` (which carries the email) is another
topic, so the profile may come first; the row is then created without email, and
``on_user_registered`` fills it in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.db import upsert
from burency_common.errors import EventSchemaError
from burency_common.events import EventEnvelope
from burency_common.events.users import UserProfileUpdated
from burency_common.logging import get_logger
from burency_common.outbox import claim_in_inbox
from burency_notifications.adapters.orm import inbox, recipients
from burency_notifications.service.context import NotificationsContext

__all__ = ["INBOX_CONSUMER", "on_profile_updated"]

INBOX_CONSUMER = "notifications.recipients"
_log = get_logger("burency.notifications")


async def _apply(db: AsyncSession, profile: UserProfileUpdated, now: Any) -> bool:
    """Insert the recipient or take the newer profile's fields; False when it was stale."""
    return await upsert(
        db,
        recipients,
        {
            "user_id": profile.user_id,
            "email": None,
            "phone": profile.phone,
            "language": profile.language,
            "country": profile.country,
            "profile_changed_at": profile.changed_at,
            "created_at": now,
        },
        index_elements=["user_id"],
        update=["phone", "language", "country", "profile_changed_at"],
        where=lambda new: or_(
            recipients.c.profile_changed_at.is_(None),
            recipients.c.profile_changed_at < new.profile_changed_at,
        ),
    )


async def on_profile_updated(ctx: NotificationsContext, envelope: EventEnvelope) -> None:
    """Keep the newest phone/language/country of a recipient (idempotent, stale-proof)."""
    payload = ctx.registry.parse_payload(envelope)
    if not isinstance(payload, UserProfileUpdated):  # pragma: no cover - registry's contract
        raise EventSchemaError("user.profile_updated payload invalid")
    async with ctx.transaction() as db:
        if not await claim_in_inbox(db, inbox, envelope, consumer=INBOX_CONSUMER):
            return
        applied = await _apply(db, payload, ctx.clock.now())
    _log.info(
        "recipient.profile_applied" if applied else "recipient.profile_stale",
        user_id=payload.user_id,
    )
