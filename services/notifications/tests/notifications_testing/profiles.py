"""Helpers for recipients' profiles: ``user.profile_updated`` as the user service emits it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from burency_common.events import EventEnvelope, default_registry
from burency_common.events.users import USER_PROFILE_UPDATED, UserProfileUpdated
from burency_notifications.adapters.orm import recipients

from .harness import Harness, eventually


def profile_event(
    user_id: str,
    *,
    phone: str | None = None,
    language: str = "en",
    country: str | None = None,
    changed_at: datetime | None = None,
) -> EventEnvelope:
    payload = UserProfileUpdated(
        user_id=user_id,
        phone=phone,
        language=language,  # type: ignore[arg-type]  # tests also send what pydantic refuses
        country=country,
        changed_at=changed_at or datetime.now(UTC),
    )
    return default_registry().build(payload, event_type=USER_PROFILE_UPDATED, producer="users")


async def recipient(h: Harness, user_id: str) -> Any:
    async with h.component.engine.connect() as conn:
        query = select(recipients).where(recipients.c.user_id == user_id)
        return (await conn.execute(query)).one_or_none()


async def register_with_profile(
    h: Harness, email: str, *, phone: str | None, language: str = "en"
) -> str:
    """``user.registered`` then ``user.profile_updated``; waits until both are applied."""
    user = await h.register(email)
    await h.bus.publish(profile_event(user, phone=phone, language=language))

    async def applied() -> bool:
        row = await recipient(h, user)
        return row is not None and row.email == email and row.profile_changed_at is not None

    await eventually(applied, f"the recipient {user}")
    return user
