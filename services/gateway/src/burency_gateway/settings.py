"""Settings of the gateway (``BURENCY_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator

from burency_common.config import ServiceSettings, check_secret_length

__all__ = ["GatewaySettings"]


class GatewaySettings(ServiceSettings):
    """What the gateway needs in either mode.

    ``upstreams`` (distributed mode) maps a service to its instances' base URLs, as
    JSON: ``BURENCY_UPSTREAMS='{"auth": ["http://10.0.0.5:8001", "http://10.0.0.6:8001"]}'``.
    """

    service_name: str = "gateway"
    upstreams: dict[str, list[str]] = Field(default_factory=dict)
    lb_policy: str = Field(default="round_robin", pattern="^(round_robin|least_in_flight)$")
    health_interval: float = Field(default=2.0, gt=0)
    eject_after: int = Field(default=3, ge=1)

    jwks_url: str | None = None
    token_issuer: str = "burency-auth"  # noqa: S105 - an issuer name, not a secret
    token_audience: str = "burency"  # noqa: S105 - an audience name

    rate_limits: str = ""
    rate_limit_fail_open: bool = False
    rate_limit_key_prefix: str = "burency:ratelimit"
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    upload_max_body_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    spa_dir: Path | None = None
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Prometheus sends for the gateway's /metrics (32+ characters)",
    )
    trusted_proxies: str = Field(
        default="",
        description="IPs whose X-Forwarded-For is believed (uvicorn forwarded_allow_ips)",
    )

    def distributed_requirements(self) -> list[tuple[str, object]]:
        return [*super().distributed_requirements(), ("BURENCY_JWKS_URL", self.jwks_url)]

    @model_validator(mode="after")
    def _check_metrics_token(self) -> GatewaySettings:
        check_secret_length("BURENCY_METRICS_TOKEN", self.metrics_token)
        return self

    @property
    def rate_limit_storage(self) -> str:
        return self.redis_url or "memory://"
