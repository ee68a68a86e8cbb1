"""Settings of the user service (``BURENCY_*`` environment variables).

The files service is reached over HTTP: in distributed mode at ``BURENCY_FILES_URL``;
in embedded mode the platform hands ``build_component`` an in-process client instead.
"""

from __future__ import annotations

from pydantic import Field

from burency_common.config import ServiceSettings

__all__ = ["UsersSettings"]


class UsersSettings(ServiceSettings):
    """What the user service needs; defaults are the production values."""

    service_name: str = "users"
    database_url: str = "sqlite+aiosqlite:///var/users.db"
    files_url: str | None = Field(
        default=None, description="base URL of the files service (distributed mode)"
    )
    files_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    settings_max_bytes: int = Field(default=8192, ge=256, le=65536)
    minimum_age_years: int = Field(default=18, ge=0, le=30)

    def distributed_requirements(self) -> list[tuple[str, object]]:
        return [*super().distributed_requirements(), ("BURENCY_FILES_URL", self.files_url)]
