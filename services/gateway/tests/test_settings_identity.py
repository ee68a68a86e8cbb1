"""The gateway follows the one identity-secret rule of every service (ServiceSettings)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from burency_common.config import RunMode
from burency_gateway.settings import GatewaySettings


def test_distributed_mode_names_every_missing_setting() -> None:
    with pytest.raises(ValidationError, match="BURENCY_IDENTITY_SECRET, BURENCY_JWKS_URL"):
        GatewaySettings(mode=RunMode.DISTRIBUTED, _env_file=None)  # type: ignore[call-arg]


def test_a_short_identity_secret_is_refused_in_embedded_mode_too() -> None:
    """It was checked only in distributed mode; the services behind it refused it always."""
    with pytest.raises(ValidationError, match="BURENCY_IDENTITY_SECRET must be at least 32"):
        GatewaySettings(identity_secret="short", _env_file=None)  # type: ignore[call-arg]


def test_embedded_mode_without_a_secret_gets_a_random_one() -> None:
    settings = GatewaySettings(_env_file=None)  # type: ignore[call-arg]
    assert len(settings.identity_secret_bytes()) == 32
    assert settings.identity_secret_bytes() != settings.identity_secret_bytes()


def test_a_short_metrics_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="BURENCY_METRICS_TOKEN must be at least 32"):
        GatewaySettings(metrics_token="t" * 31, _env_file=None)  # type: ignore[call-arg]
