"""`burency serve trading` publishes market data through Redis when BURENCY_REDIS_URL is set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from burency_common.realtime_redis import RedisRealtimePublisher
from burency_platform.served import build_served_component


@pytest.fixture
def trading_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.startswith("BURENCY_") and not key.startswith("BURENCY_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("BURENCY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("BURENCY_JOURNAL_DIR", str(tmp_path / "journal"))
    return monkeypatch


def _publisher(component: Any) -> Any:
    return component.marketdata.publisher


def test_served_trading_publishes_through_redis(trading_env: pytest.MonkeyPatch) -> None:
    trading_env.setenv("BURENCY_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing connects yet
    assert isinstance(_publisher(build_served_component("trading")), RedisRealtimePublisher)


def test_served_trading_without_redis_publishes_nothing(trading_env: pytest.MonkeyPatch) -> None:
    assert not isinstance(_publisher(build_served_component("trading")), RedisRealtimePublisher)
