"""Distributed mode refuses to start the trading service without its journal directory
named (the relative default would recover from an empty directory after a restart)."""

from __future__ import annotations

from pathlib import Path

import pytest

from burency_common.config import load_settings
from burency_common.errors import ConfigurationError
from burency_trading.settings import TradingSettings

SECRET = "a-distributed-identity-secret-of-32-bytes-or-more"


def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BURENCY_JOURNAL_DIR", "BURENCY_MODE", "BURENCY_IDENTITY_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_distributed_mode_needs_the_journal_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    _clean(monkeypatch)
    monkeypatch.setenv("BURENCY_MODE", "distributed")
    monkeypatch.setenv("BURENCY_IDENTITY_SECRET", SECRET)
    with pytest.raises(ConfigurationError) as refused:
        load_settings(TradingSettings, _env_file=None)
    assert "BURENCY_JOURNAL_DIR" in str(refused.value)
    assert SECRET not in str(refused.value)


def test_distributed_mode_with_a_journal_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _clean(monkeypatch)
    monkeypatch.setenv("BURENCY_MODE", "distributed")
    monkeypatch.setenv("BURENCY_IDENTITY_SECRET", SECRET)
    monkeypatch.setenv("BURENCY_JOURNAL_DIR", str(tmp_path / "journal"))
    settings = load_settings(TradingSettings, _env_file=None)
    assert settings.journal_dir == tmp_path / "journal"


def test_embedded_mode_keeps_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    _clean(monkeypatch)
    assert load_settings(TradingSettings, _env_file=None).journal_dir == Path("var/trading")
