"""A user account as the service layer sees it (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["UserRecord"]


@dataclass(frozen=True)
class UserRecord:
    id: str
    email: str
    password_hash: str
    created_at: datetime
    email_verified_at: datetime | None
    disabled_at: datetime | None
    totp_secret: bytes | None
    totp_pending_secret: bytes | None
    totp_enabled_at: datetime | None
    totp_last_step: int | None
    roles: frozenset[str]

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None
