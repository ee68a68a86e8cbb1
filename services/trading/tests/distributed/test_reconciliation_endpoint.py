"""``GET /v1/admin/reconciliation``: the engine's own books per asset (users, fees,
total, net transferred), staff only. The engine runs in-process here; the distributed
crash test (tests/e2e/test_distributed_trading.py) reads the same endpoint after kills."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from burency_common.db import create_engine
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import SystemClock, utc_now
from burency_trading.app import create_app
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import (
    AddMarket,
    Command,
    OrderType,
    PlaceOrder,
    Side,
    TransferIn,
    TransferOut,
)
from burency_trading.entrypoints.http.reconciliation import read_books
from burency_trading.service.context import TradingContext
from burency_trading.settings import TradingSettings, market_specs

T = TypeVar("T")
SECRET = b"trading-reconciliation-tests-secret-0123456789"
PRICE, LOTS = 5_000_000, 10_000  # 50,000.00 AED in ticks of 0.01; 0.1 BTC in lots of 0.00001


class InProcess:
    """The engine as ``ctx.engine``: commands applied at once, queries on it."""

    def __init__(self) -> None:
        self.engine, self.seq = Engine(), 0

    def apply(self, command: Command) -> None:
        self.seq += 1
        self.engine.apply(command, self.seq, self.seq)

    async def query(self, fn: Callable[[Any], T]) -> T:
        return fn(self.engine)

    async def submit(self, command: Command) -> Any:
        raise NotImplementedError

    async def submit_decided(self, decide: Any) -> Any:
        raise NotImplementedError

    def health(self) -> dict[str, object]:
        return {"seq": self.seq, "state": "running"}


def headers(user: str, role: str) -> dict[str, str]:
    identity = Identity(user_id=user, roles=frozenset({role}), email_verified=True)
    return {IDENTITY_HEADER: sign_identity(identity, secret=SECRET, now=utc_now())}


@pytest.fixture
async def traded(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, InProcess]]:
    settings = TradingSettings(_env_file=None, journal_dir=tmp_path,
                               database_url=f"sqlite+aiosqlite:///{tmp_path / 't.db'}")  # fmt: skip
    local = InProcess()
    local.apply(AddMarket(next(s for s in market_specs(settings) if s.symbol == "BTC/AED")))
    local.apply(TransferIn("in-1", "buyer", "AED", 1_000_000))  # 10,000.00 AED
    local.apply(TransferIn("in-2", "seller", "BTC", 50_000_000))  # 0.5 BTC
    local.apply(PlaceOrder("seller", "BTC/AED", Side.SELL, OrderType.LIMIT, qty=LOTS, price=PRICE))
    local.apply(PlaceOrder("buyer", "BTC/AED", Side.BUY, OrderType.LIMIT, qty=LOTS, price=PRICE))
    local.apply(TransferOut("out-1", "seller", "AED", 100_000))  # 1,000.00 AED back
    db = create_engine(settings.database_url)
    ctx = TradingContext(settings=settings, engine=local, history=None,  # type: ignore[arg-type]
                         clock=SystemClock())  # fmt: skip
    app = create_app(ctx, engine=db, identity_secret=SECRET)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://trading"
    ) as client:
        yield client, local
    await db.dispose()


async def test_books_per_asset(traded: tuple[httpx.AsyncClient, InProcess]) -> None:
    client, local = traded
    got = await client.get("/v1/admin/reconciliation", headers=headers("ops", "support"))
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["seq"], body["balanced"]) == (local.seq, True)
    rows = {row["asset"]: row for row in body["assets"]}
    # 0.1 % maker and taker fees on 5,000.00 AED: 5.00 each
    assert rows["AED"] == {"asset": "AED", "users": "8990.00", "fees": "10.00",
                           "total": "9000.00", "netTransferred": "9000.00",
                           "balanced": True}  # fmt: skip
    assert rows["BTC"] == {"asset": "BTC", "users": "0.50000000", "fees": "0.00000000",
                           "total": "0.50000000", "netTransferred": "0.50000000",
                           "balanced": True}  # fmt: skip
    books = read_books(local.engine)
    assert books.totals["AED"] == books.net_transferred["AED"] == 900_000


async def test_staff_only(traded: tuple[httpx.AsyncClient, InProcess]) -> None:
    client, _ = traded
    anonymous = await client.get("/v1/admin/reconciliation")
    user = await client.get("/v1/admin/reconciliation", headers=headers("buyer", "user"))
    assert (anonymous.status_code, user.status_code) == (401, 403)
