"""Events published by the user service about identity verification (KYC).

``kyc.status_changed`` is emitted on every decision or submission; banking consumes it
to set withdrawal limits by level, notifications to tell the user.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from burency_common.events.registry import EventRegistry, EventSchema
from burency_common.events.schemas import EventPayload

__all__ = ["KYC_STATUS_CHANGED", "KycStatusChanged", "register_kyc_events"]

KYC_STATUS_CHANGED = "kyc.status_changed"

KycStatus = Literal["SUBMITTED", "APPROVED", "REJECTED"]


class KycStatusChanged(EventPayload):
    """A KYC submission of ``user_id`` changed status; ``level`` is the user's level now (v1)."""

    user_id: str = Field(min_length=1, max_length=200)
    submission_id: str = Field(min_length=1, max_length=200)
    requested_level: int = Field(ge=1, le=3)
    status: KycStatus
    level: int = Field(ge=0, le=3, description="the user's KYC level after this change")
    previous_level: int = Field(ge=0, le=3)
    reason: str | None = Field(default=None, max_length=500)
    decided_by: str | None = None
    changed_at: AwareDatetime


def register_kyc_events(registry: EventRegistry) -> None:
    registry.register(
        EventSchema(
            KYC_STATUS_CHANGED,
            1,
            KycStatusChanged,
            "user_id",
            "a KYC submission was made, approved or rejected",
        )
    )
