"""Events published by the user service about profiles (``user.profile_updated``).

``user.profile_updated`` carries the contact and locale fields other services need
to reach a user: the notification service keeps the phone (SMS) and the language
(templates) in its recipients directory. It is emitted when a profile is created and
whenever its phone, language or country changes; it always carries the *current*
values of all of them (a snapshot, not a diff), so a consumer only keeps the newest
by ``changed_at`` and may drop older ones that arrive late.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from burency_common.events.registry import EventRegistry, EventSchema
from burency_common.events.schemas import EventPayload

__all__ = ["USER_PROFILE_UPDATED", "UserProfileUpdated", "register_user_events"]

USER_PROFILE_UPDATED = "user.profile_updated"


class UserProfileUpdated(EventPayload):
    """The reachable parts of ``user_id``'s profile as of ``changed_at`` (v1).

    ``phone`` is E.164 (``+971501234567``) or null when the user has none. The user
    service does not verify phones yet, so there is no ``phone_verified`` field; adding
    it later is an additive change within this version.
    """

    user_id: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{7,14}$")
    language: Literal["en", "ar"] = "en"
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    changed_at: AwareDatetime


def register_user_events(registry: EventRegistry) -> None:
    registry.register(
        EventSchema(
            USER_PROFILE_UPDATED,
            1,
            UserProfileUpdated,
            "user_id",
            "a profile was created or its phone, language or country changed",
        )
    )
