"""Configuration loading: one pydantic-settings base class for every service.

Settings come from ``BURENCY_*`` environment variables and an optional ``.env`` file.
:func:`load_settings` turns pydantic's validation error into a
:class:`~burency_common.errors.ConfigurationError` that lists *every* missing or
invalid setting by its environment variable name, without echoing values (they may
be secrets).
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from typing import Any, Self, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from burency_common.errors import ConfigurationError

__all__ = [
    "MIN_SECRET_BYTES",
    "BurencySettings",
    "RunMode",
    "SecretStr",
    "ServiceSettings",
    "check_secret_length",
    "load_settings",
]

ENV_PREFIX = "BURENCY_"


class RunMode(StrEnum):
    """``embedded``: one process, SQLite, in-memory bus; ``distributed``: a process per service."""

    EMBEDDED = "embedded"
    DISTRIBUTED = "distributed"


class BurencySettings(BaseSettings):
    """Settings every service shares; services subclass it and add their own fields."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    mode: RunMode = RunMode.EMBEDDED
    service_name: str = "burency"
    environment: str = "development"
    log_level: str = "INFO"
    log_json: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "sqlite+aiosqlite:///var/burency.db"
    kafka_bootstrap: str | None = None
    kafka_topic_prefix: str = Field(
        default="",
        max_length=100,
        pattern=r"^[A-Za-z0-9._-]*$",
        description="namespace for every topic on a shared Kafka cluster, e.g. 'staging.'",
    )
    kafka_instance_id: str | None = Field(
        default=None,
        max_length=100,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="static Kafka group membership: a name stable across restarts and unique "
        "per live process of a service (e.g. the pod name); a crashed process that comes back "
        "resumes its partitions at once instead of after the session timeout",
    )
    redis_url: str | None = None

    @property
    def embedded(self) -> bool:
        return self.mode is RunMode.EMBEDDED


MIN_SECRET_BYTES = 32
"""Shortest secret accepted (UTF-8 bytes): 256 bits for HMAC keys."""


def check_secret_length(
    name: str, secret: SecretStr | None, minimum: int = MIN_SECRET_BYTES
) -> None:
    """Refuse a configured secret shorter than ``minimum`` bytes (never echoing it)."""
    if secret is not None and len(secret.get_secret_value().encode()) < minimum:
        raise ValueError(f"{name} must be at least {minimum} bytes")


class ServiceSettings(BurencySettings):
    """The base of every service's settings: :class:`BurencySettings` plus the identity
    secret (the HMAC key of the gateway's signed identity header), with one rule:

    * distributed mode requires ``BURENCY_IDENTITY_SECRET`` (and whatever else the
      service lists in :meth:`distributed_requirements`), one error naming them all;
    * a configured secret is at least :data:`MIN_SECRET_BYTES` bytes, in either mode;
    * embedded mode without one: :meth:`identity_secret_bytes` makes a random secret per
      process (the platform normally hands every service the same one).

    Subclasses add checks of their own with their own ``model_validator`` (give it
    another name than ``_check_service_settings``).
    """

    identity_secret: SecretStr | None = None

    def distributed_requirements(self) -> list[tuple[str, object]]:
        """``(variable, value)`` pairs distributed mode requires; extend it in a subclass
        (the error lists the missing ones in this order)."""
        return [("BURENCY_IDENTITY_SECRET", self.identity_secret)]

    @model_validator(mode="after")
    def _check_service_settings(self) -> Self:
        if self.mode is RunMode.DISTRIBUTED:
            missing = [name for name, value in self.distributed_requirements() if not value]
            if missing:
                raise ValueError("distributed mode requires " + ", ".join(missing))
        check_secret_length("BURENCY_IDENTITY_SECRET", self.identity_secret)
        return self

    def identity_secret_bytes(self) -> bytes:
        """The configured identity secret, or (embedded mode only: distributed mode
        refused to load without one) a random one for this process."""
        if self.identity_secret is not None:
            return self.identity_secret.get_secret_value().encode()
        return secrets.token_bytes(MIN_SECRET_BYTES)


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def load_settings(cls: type[SettingsT], /, **overrides: Any) -> SettingsT:
    """Build ``cls`` from the environment, or raise one error naming every bad setting."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        prefix = str(cls.model_config.get("env_prefix", ""))
        problems = [_describe(prefix, err) for err in exc.errors()]
        listing = "\n".join(f"  - {p['field']}: {p['message']}" for p in problems)
        raise ConfigurationError(
            f"{len(problems)} setting(s) missing or invalid:\n{listing}",
            details=problems,
        ) from None


def _describe(prefix: str, err: Any) -> dict[str, str]:
    loc = [str(part) for part in err["loc"]]
    message = "is required" if err["type"] == "missing" else str(err["msg"])
    message = message.removeprefix("Value error, ")
    if not loc:  # a check across settings: its message names the variables itself
        return {"field": "settings", "message": message, "code": str(err["type"]).upper()}
    env_name = (prefix + "__".join(loc)).upper()
    return {"field": env_name, "message": message, "code": str(err["type"]).upper()}
