"""Fixtures of the market-data source tests: the fake Binance venue (a local HTTP
server speaking Binance's spot wire format), the real ccxt library pointed at it, and
the real engine applied in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from burency_common.timeutil import utc_now
from burency_testing.fake_binance import FakeBinance, FakeMarket
from burency_trading.adapters.sources.ccxt_source import CcxtSource
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import AddMarket, Command
from burency_trading.service.ports import CommandResult
from burency_trading.settings import TradingSettings, market_specs

T = TypeVar("T")


class LocalEngine:
    """``EngineAccess`` over a real :class:`Engine` (every configured market added)."""

    def __init__(self) -> None:
        self.engine = Engine()
        self.seq = 0
        self.submitted: list[Command] = []
        settings = TradingSettings(_env_file=None)  # type: ignore[call-arg]
        for spec in market_specs(settings):
            self.engine.apply(AddMarket(spec), self._next(), 1)

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    async def submit(self, command: Command) -> CommandResult:
        seq, ts = self._next(), int(utc_now().timestamp() * 1_000_000)
        self.submitted.append(command)
        return CommandResult(seq, ts, command, self.engine.apply(command, seq, ts))

    async def query(self, fn: Callable[[Any], T]) -> T:
        return fn(self.engine)

    def health(self) -> dict[str, object]:
        return {"seq": self.seq, "state": "running"}


@pytest.fixture
async def venue() -> AsyncIterator[FakeBinance]:
    markets = [
        FakeMarket("BTC", "USDT", Decimal("95000.00")),
        FakeMarket("ETH", "USDT", Decimal("3500.00"), step_size="0.0001"),
    ]
    async with FakeBinance(markets) as fake:
        yield fake


def ccxt_for(venue: FakeBinance, **overrides: Any) -> CcxtSource:
    options: dict[str, Any] = {
        "symbols": {"BTC/AED": "BTC/USDT", "ETH/AED": "ETH/USDT"},
        "urls": {"public": venue.api_url, "private": venue.api_url},
        "api_key": venue.api_key,
        "secret": venue.secret,
        "retries": 1,
        "backoff": 0.01,
        "timeout_ms": 3000,
    }
    return CcxtSource("binance", **(options | overrides))


@pytest.fixture
async def source(venue: FakeBinance) -> AsyncIterator[CcxtSource]:
    made = ccxt_for(venue)
    yield made
    await made.close()
