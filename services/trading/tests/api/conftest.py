"""Fixtures of the API tests: the real engine in-process, the real projection on
SQLite, the app over httpx's ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.db import create_engine, migrate
from burency_common.timeutil import SystemClock
from burency_trading.adapters.audit import SqlAudit
from burency_trading.adapters.candles import SqlCandleStore
from burency_trading.adapters.history import HistoryReader
from burency_trading.adapters.projection import SqlProjection
from burency_trading.app import create_app
from burency_trading.domain.model import AddMarket, SetFeeSchedule
from burency_trading.service.context import TradingContext
from burency_trading.service.marketdata.sink import MarketDataSink
from burency_trading.settings import TradingSettings, fee_schedule, market_specs

from .support import SECRET, Api, LocalEngine

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def make_settings(tmp_path: Path, **overrides: Any) -> TradingSettings:
    return TradingSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'trading.db'}",
        journal_dir=tmp_path / "journal",
        **overrides,
    )


async def start_api(settings: TradingSettings) -> tuple[Api, AsyncEngine]:
    db = create_engine(settings.database_url)
    await migrate(db, MIGRATIONS)
    marketdata = MarketDataSink(store=SqlCandleStore(db))  # no tick task: REST reads memory
    local = LocalEngine([SqlProjection(db), marketdata])
    for spec in market_specs(settings):
        await local.submit(AddMarket(spec))
    await local.submit(SetFeeSchedule(fee_schedule(settings)))
    ctx = TradingContext(
        settings=settings, engine=local, history=HistoryReader(db), clock=SystemClock()
    )
    ctx.audit = SqlAudit(db, ctx.clock)
    app = create_app(ctx, engine=db, identity_secret=SECRET, marketdata=marketdata)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trading")
    return Api(client, ctx, local), db


@pytest.fixture
async def make_api(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Api]]]:
    """``await make_api(**settings)``: the app with these settings (one per test)."""
    opened: list[tuple[Api, AsyncEngine]] = []

    async def make(**overrides: Any) -> Api:
        made, db = await start_api(make_settings(tmp_path, **overrides))
        opened.append((made, db))
        return made

    yield make
    for made, db in opened:
        await made.client.aclose()
        await db.dispose()


@pytest.fixture
async def api(make_api: Callable[..., Awaitable[Api]]) -> Api:
    return await make_api()
