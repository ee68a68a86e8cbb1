"""Settings of the user service (``BURENCY_*`` environment variables).

The files service is reached over HTTP: in distributed mode at ``BURENCY_FILES_URL``;
in embedded mode the platform hands ``build_component`` an in-process client instead.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from burency_common.config import BurencySettings, RunMode

__all__ = ["UsersSettings"]


class UsersSettings(BurencySettings):
    """What the user service needs; defaults are the production values."""

    service_name: str = "users"
    database_url: str = "sqlite+aiosqlite:///var/users.db"
    identity_secret: SecretStr | None = None
    files_url: str | None = Field(
        default=None, description="base URL of the files service (distributed mode)"
    )
    files_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    settings_max_bytes: int = Field(default=8192, ge=256, le=65536)
    minimum_age_years: int = Field(default=18, ge=0, le=30)

    @model_validator(mode="after")
    def _distributed_needs_secrets(self) -> UsersSettings:
        if self.mode is RunMode.DISTRIBUTED:
            missing = [
                name
                for name, value in (
                    ("BURENCY_IDENTITY_SECRET", self.identity_secret),
                    ("BURENCY_FILES_URL", self.files_url),
                )
                if not value
            ]
            if missing:
                raise ValueError("distributed mode requires " + ", ".join(missing))
        secret = self.identity_secret
        if secret is not None and len(secret.get_secret_value()) < 32:
            raise ValueError("BURENCY_IDENTITY_SECRET must be at least 32 characters")
        return self
