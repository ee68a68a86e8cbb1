"""Settings of the notification service (``BURENCY_*`` environment variables).

``BURENCY_EMAIL_CHANNEL`` picks how email leaves: ``smtp`` sends through
``BURENCY_SMTP_*``; ``record`` (the embedded default) only records what would be sent
(listed by ``GET /v1/dev/outbox``) and, when there is a mail directory
(``BURENCY_EMAIL_RECORD_DIR``, in embedded mode ``mail/`` beside the SQLite database),
writes each message there as an owner-only ``.eml`` file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from burency_common.config import RunMode, ServiceSettings

__all__ = ["NotificationsSettings"]


class NotificationsSettings(ServiceSettings):
    """What the notification service needs; defaults are the production values."""

    service_name: str = "notifications"
    database_url: str = "sqlite+aiosqlite:///var/notifications.db"
    email_channel: Literal["smtp", "record"] | None = Field(
        default=None, description="smtp|record; default record embedded, smtp distributed"
    )
    email_record_dir: str | None = Field(
        default=None,
        description="where recorded e-mails are written as .eml files (owner-only); "
        "default: mail/ beside the SQLite database in embedded mode",
    )
    email_echo: bool = Field(
        default=False,
        description="embedded mode: print each e-mail's recipient, subject and links on "
        "standard output (make run turns it on; never in distributed mode)",
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
    # push (FCM HTTP v1) and mass announcements
    push_channel: Literal["fcm", "record"] | None = Field(
        default=None, description="fcm|record; default record embedded, fcm distributed"
    )
    fcm_credentials_file: str | None = Field(
        default=None, description="path of the service-account JSON key"
    )
    fcm_credentials_json: SecretStr | None = Field(
        default=None, description="the service-account JSON key itself (instead of a file)"
    )
    fcm_base_url: str = "https://fcm.googleapis.com"
    fcm_token_uri: str | None = Field(
        default=None, description="overrides the key's token_uri (tests, proxies)"
    )
    fcm_concurrency: int = Field(default=100, ge=1, le=1000)
    fcm_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    broadcast_push_batch: int = Field(default=500, ge=1, le=500)
    broadcast_materialise_batch: int = Field(default=1000, ge=1, le=10000)
    broadcast_email_batch: int = Field(default=50, ge=1, le=1000)
    broadcast_email_per_second: float = Field(default=20.0, gt=0, le=10000)
    broadcast_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    # SMS through a Twilio-compatible REST API (burency_notifications.adapters.sms_twilio)
    sms_channel: Literal["twilio", "record"] | None = Field(
        default=None,
        description="twilio|record; default record embedded, twilio distributed when "
        "BURENCY_TWILIO_ACCOUNT_SID is set (else SMS is not configured)",
    )
    twilio_base_url: str = "https://api.twilio.com"
    twilio_account_sid: str | None = None
    twilio_api_key_sid: str | None = Field(
        default=None, description="authenticate with this API key SID instead of the account SID"
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None, description="the auth token, or the API key's secret"
    )
    twilio_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    @property
    def sms_mode(self) -> str | None:
        """``twilio``, ``record``, or None (SMS deliveries are skipped, not configured)."""
        if self.sms_channel is not None:
            return self.sms_channel
        if self.mode is RunMode.EMBEDDED:
            return "record"
        return "twilio" if self.twilio_account_sid else None

    @model_validator(mode="after")
    def _twilio_is_complete(self) -> NotificationsSettings:
        if self.sms_mode != "twilio":
            return self
        sender = self.twilio_from or self.twilio_messaging_service_sid
        required = {
            "BURENCY_TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "BURENCY_TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "BURENCY_TWILIO_FROM or _MESSAGING_SERVICE_SID": sender,
        }
        missing = [name for name, value in required.items() if not value]
        if missing:
            raise ValueError(f"SMS over Twilio needs {', '.join(missing)}")
        return self

    @property
    def email_mode(self) -> str:
        if self.email_channel is not None:
            return self.email_channel
        return "record" if self.mode is RunMode.EMBEDDED else "smtp"

    @property
    def mail_dir(self) -> Path | None:
        """Where ``record`` e-mails are written, or None (kept in memory only)."""
        if self.email_record_dir:
            return Path(self.email_record_dir)
        prefix = "sqlite+aiosqlite:///"
        if self.mode is RunMode.EMBEDDED and self.database_url.startswith(prefix):
            database = self.database_url.removeprefix(prefix)
            if database and not database.startswith(":memory:"):
                return Path(database).parent / "mail"
        return None

    @property
    def push_mode(self) -> str:
        if self.push_channel is not None:
            return self.push_channel
        return "record" if self.mode is RunMode.EMBEDDED else "fcm"
