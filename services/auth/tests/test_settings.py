"""Settings: production defaults, distributed mode refuses to start without secrets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from burency_auth.component import build_component
from burency_auth.settings import AuthSettings
from burency_common.config import load_settings
from burency_common.errors import ConfigurationError
from burency_common.tokens import SigningKey


def test_defaults_are_the_documented_values(settings_factory: Callable[..., Any]) -> None:
    settings: AuthSettings = settings_factory(AuthSettings)
    assert settings.token_issuer == "burency-auth"
    assert settings.token_audience == "burency"
    assert settings.access_ttl.total_seconds() == 15 * 60
    assert settings.refresh_absolute_ttl.days == 30
    assert settings.refresh_idle_timeout.days == 7
    assert settings.refresh_grace.total_seconds() == 10
    assert (settings.argon2_memory_cost_kib, settings.argon2_time_cost) == (19456, 2)
    assert settings.argon2_parallelism == 1


def test_distributed_mode_names_every_missing_secret(
    monkeypatch: pytest.MonkeyPatch, settings_factory: Callable[..., Any]
) -> None:
    settings_factory(AuthSettings)  # clears the developer's BURENCY_* variables
    monkeypatch.setenv("BURENCY_MODE", "distributed")
    with pytest.raises(ConfigurationError) as error:
        load_settings(AuthSettings, _env_file=None)
    text = str(error.value)
    for name in ("BURENCY_SIGNING_KEYS", "BURENCY_DATA_KEY", "BURENCY_IDENTITY_SECRET"):
        assert name in text


def test_distributed_mode_starts_with_secrets_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, settings_factory: Callable[..., Any], tmp_path: Any
) -> None:
    settings_factory(AuthSettings)
    key = SigningKey.generate()
    pem = key.to_pem().decode().replace("\n", "\\n")
    monkeypatch.setenv("BURENCY_MODE", "distributed")
    monkeypatch.setenv("BURENCY_SIGNING_KEYS", f'["{pem}"]')
    monkeypatch.setenv("BURENCY_DATA_KEY", "x" * 32)
    monkeypatch.setenv("BURENCY_IDENTITY_SECRET", "y" * 32)
    monkeypatch.setenv("BURENCY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
    settings = load_settings(AuthSettings, _env_file=None)
    component = build_component(settings)
    assert component.keyring.active.kid == key.kid
    assert component.app.state.identity_secret == b"y" * 32
    assert "x" * 32 not in repr(settings)
