"""Settings of the notification service (``BURENCY_*`` environment variables).

``BURENCY_EMAIL_CHANNEL`` picks how email leaves: ``smtp`` sends through
``BURENCY_SMTP_*``; ``record`` (the embedded default) only records what would be sent
(listed by ``GET /v1/dev/outbox``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from burency_common.config import BurencySettings, RunMode

__all__ = ["NotificationsSettings"]


class NotificationsSettings(BurencySettings):
    """What the notification service needs; defaults are the production values."""

    service_name: str = "notifications"
    database_url: str = "sqlite+aiosqlite:///var/notifications.db"
    identity_secret: SecretStr | None = None
    email_channel: Literal["smtp", "record"] | None = Field(
        default=None, description="smtp|record; default record embedded, smtp distributed"
    )
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Burency <no-reply@burency.com>"
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    delivery_max_attempts: int = Field(default=5, ge=1, le=20)
    delivery_initial_backoff_seconds: float = Field(default=2.0, gt=0, le=3600)
    delivery_max_backoff_seconds: float = Field(default=600.0, gt=0, le=86400)
    worker_poll_seconds: float = Field(default=1.0, gt=0, le=60)

    @property
    def email_mode(self) -> str:
        if self.email_channel is not None:
            return self.email_channel
        return "record" if self.mode is RunMode.EMBEDDED else "smtp"

    @model_validator(mode="after")
    def _distributed_needs_secrets(self) -> NotificationsSettings:
        if self.mode is RunMode.DISTRIBUTED and not self.identity_secret:
            raise ValueError("distributed mode requires BURENCY_IDENTITY_SECRET")
        secret = self.identity_secret
        if secret is not None and len(secret.get_secret_value()) < 32:
            raise ValueError("BURENCY_IDENTITY_SECRET must be at least 32 characters")
        return self
