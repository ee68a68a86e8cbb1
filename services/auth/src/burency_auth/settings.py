"""Settings of the auth service (``BURENCY_*`` environment variables).

Secrets (signing keys, the data key that encrypts TOTP secrets) are ``SecretStr`` so
they never show up in a repr or a log line. In embedded mode missing secrets are
generated at start-up (and the service says so loudly, because tokens and 2FA
enrolments then do not survive a restart); distributed mode refuses to start without them.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr, model_validator

from burency_common.config import ServiceSettings, check_secret_length

__all__ = ["AuthSettings"]


class AuthSettings(ServiceSettings):
    """What the auth service needs; defaults are the production values."""

    service_name: str = "auth"
    database_url: str = "sqlite+aiosqlite:///var/auth.db"

    token_issuer: str = "burency-auth"  # noqa: S105 - an issuer name, not a secret
    token_audience: str = "burency"  # noqa: S105 - an audience name
    access_token_ttl_seconds: int = Field(default=15 * 60, ge=60, le=3600)
    refresh_absolute_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=3600)
    refresh_idle_timeout_seconds: int = Field(default=7 * 24 * 3600, ge=600)
    refresh_grace_seconds: int = Field(default=10, ge=0, le=60)
    signing_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Ed25519 PKCS#8 PEMs; the first signs, the others stay published",
    )
    data_key: SecretStr | None = Field(
        default=None, description="32+ characters; encrypts TOTP secrets at rest"
    )

    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_cost_kib: int = Field(default=19456, ge=8)
    argon2_parallelism: int = Field(default=1, ge=1)

    email_token_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    password_reset_ttl_seconds: int = Field(default=30 * 60, ge=60)

    login_window_seconds: int = Field(default=15 * 60, ge=1)
    login_max_failures_per_ip: int = Field(default=5, ge=1)
    login_max_failures_per_account: int = Field(default=50, ge=1)

    totp_issuer: str = "Burency"
    demo_admin_email: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"

    def distributed_requirements(self) -> list[tuple[str, object]]:
        return [
            ("BURENCY_SIGNING_KEYS", self.signing_keys),
            ("BURENCY_DATA_KEY", self.data_key),
            *super().distributed_requirements(),
        ]

    @model_validator(mode="after")
    def _check_data_key(self) -> AuthSettings:
        check_secret_length("BURENCY_DATA_KEY", self.data_key)
        return self

    @property
    def access_ttl(self) -> timedelta:
        return timedelta(seconds=self.access_token_ttl_seconds)

    @property
    def refresh_absolute_ttl(self) -> timedelta:
        return timedelta(seconds=self.refresh_absolute_ttl_seconds)

    @property
    def refresh_idle_timeout(self) -> timedelta:
        return timedelta(seconds=self.refresh_idle_timeout_seconds)

    @property
    def refresh_grace(self) -> timedelta:
        return timedelta(seconds=self.refresh_grace_seconds)

    @property
    def login_window(self) -> timedelta:
        return timedelta(seconds=self.login_window_seconds)
