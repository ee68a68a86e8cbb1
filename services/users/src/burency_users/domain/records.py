"""What the service layer hands to the routes: profiles, KYC submissions, audit entries."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

__all__ = ["AuditRecord", "ProfileRecord", "SubmissionRecord"]


@dataclass(frozen=True)
class AuditRecord:
    id: str
    actor_id: str
    action: str
    target: str | None
    details: dict[str, Any]
    request_id: str | None
    at: datetime


@dataclass(frozen=True)
class SubmissionRecord:
    id: str
    user_id: str
    level: int
    status: str
    documents: dict[str, str]
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None


@dataclass(frozen=True)
class ProfileRecord:
    user_id: str
    email: str
    created_at: datetime
    updated_at: datetime
    first_name: str | None
    last_name: str | None
    date_of_birth: date | None
    country: str | None
    phone: str | None
    address_line1: str | None
    address_line2: str | None
    address_city: str | None
    address_postal_code: str | None
    address_country: str | None
    avatar_file_id: str | None
    language: str
    timezone: str | None
    display_currency: str
    ui_settings: dict[str, Any]
    kyc_level: int
    closure_requested_at: datetime | None
    closure_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
