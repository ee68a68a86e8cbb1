"""Settings of the files service (``BURENCY_*`` environment variables).

Two storage back-ends: ``local`` (embedded mode: a directory, URLs signed by this
service) and ``s3`` (any S3 API: AWS, MinIO, moto). Secrets are ``SecretStr`` so they
never appear in a repr or a log line. Distributed mode refuses to start without the
identity secret, and with ``local`` storage, without a URL-signing key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from burency_common.config import RunMode, ServiceSettings, check_secret_length

__all__ = ["FilesSettings"]

_MIB = 1024 * 1024


class FilesSettings(ServiceSettings):
    """What the files service needs; defaults suit embedded mode."""

    service_name: str = "files"
    database_url: str = "sqlite+aiosqlite:///var/files.db"

    storage_backend: Literal["local", "s3"] = "local"
    local_storage_dir: Path = Path("var/files")
    url_signing_key: SecretStr | None = Field(
        default=None, description="HMAC key of local-storage URLs (32+ characters)"
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000/api/files",
        description="where clients reach this service (local-storage object URLs)",
    )
    url_ttl_seconds: int = Field(default=300, ge=1, le=300)

    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_bucket: str = "burency-files"
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_server_side_encryption: str | None = "AES256"
    s3_create_bucket: bool = False
    s3_public_base_url: str | None = Field(
        default=None, description="CDN/base URL serving public objects; default endpoint/bucket"
    )
    s3_part_size_bytes: int = Field(default=8 * _MIB, ge=5 * _MIB)

    cleanup_interval_seconds: int = Field(default=600, ge=0, description="0 disables")
    max_image_pixels: int = Field(default=40_000_000, ge=1)
    avatar_max_side: int = Field(default=1024, ge=16)
    thumbnail_side: int = Field(default=128, ge=16)

    @model_validator(mode="after")
    def _check_url_signing_key(self) -> FilesSettings:
        distributed = self.mode is RunMode.DISTRIBUTED
        if distributed and self.storage_backend == "local" and self.url_signing_key is None:
            raise ValueError("distributed local storage requires BURENCY_URL_SIGNING_KEY")
        check_secret_length("BURENCY_URL_SIGNING_KEY", self.url_signing_key)
        return self
