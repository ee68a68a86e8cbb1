from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field, model_validator

from burency_common.config import BurencySettings, RunMode, SecretStr, load_settings
from burency_common.errors import ConfigurationError


class ExampleSettings(BurencySettings):
    signing_key: SecretStr
    max_connections: int = Field(default=10, ge=1)
    bank_name: str


def test_reads_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BURENCY_SIGNING_KEY", "s3cret")
    monkeypatch.setenv("BURENCY_BANK_NAME", "Emirates NBD")
    monkeypatch.setenv("BURENCY_MODE", "distributed")
    settings = load_settings(ExampleSettings, _env_file=None)
    assert settings.bank_name == "Emirates NBD"
    assert settings.mode is RunMode.DISTRIBUTED
    assert settings.signing_key.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)


def test_reads_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("BURENCY_SIGNING_KEY=k\nBURENCY_BANK_NAME=from-dotenv\n")
    monkeypatch.delenv("BURENCY_BANK_NAME", raising=False)
    settings = load_settings(ExampleSettings, _env_file=env_file)
    assert settings.bank_name == "from-dotenv"


def test_every_missing_and_invalid_setting_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BURENCY_MAX_CONNECTIONS", "0")
    monkeypatch.delenv("BURENCY_SIGNING_KEY", raising=False)
    monkeypatch.delenv("BURENCY_BANK_NAME", raising=False)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(ExampleSettings, _env_file=None)
    fields = {e["field"] for e in caught.value.errors}
    assert fields == {"BURENCY_SIGNING_KEY", "BURENCY_BANK_NAME", "BURENCY_MAX_CONNECTIONS"}
    assert "BURENCY_SIGNING_KEY: is required" in caught.value.detail
    assert "3 setting(s)" in caught.value.detail


def test_invalid_secret_value_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BURENCY_SIGNING_KEY", "k")
    monkeypatch.setenv("BURENCY_BANK_NAME", "b")
    monkeypatch.setenv("BURENCY_MAX_CONNECTIONS", "hunter2-not-a-number")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(ExampleSettings, _env_file=None)
    assert "hunter2" not in caught.value.detail
    assert "hunter2" not in str(caught.value.errors)


class CrossCheckedSettings(BurencySettings):
    files_url: str | None = None

    @model_validator(mode="after")
    def _distributed_needs_files(self) -> CrossCheckedSettings:
        if self.mode is RunMode.DISTRIBUTED and not self.files_url:
            raise ValueError("distributed mode requires BURENCY_FILES_URL")
        return self


def test_a_check_across_settings_reads_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model-level check has no field: its message, which names the variables, is shown
    whole instead of under a cut-off name ('BURENCY_: Value error, ...')."""
    monkeypatch.setenv("BURENCY_MODE", "distributed")
    monkeypatch.delenv("BURENCY_FILES_URL", raising=False)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(CrossCheckedSettings, _env_file=None)
    assert "  - settings: distributed mode requires BURENCY_FILES_URL" in caught.value.detail
    assert "BURENCY_:" not in caught.value.detail
    assert "Value error" not in caught.value.detail
