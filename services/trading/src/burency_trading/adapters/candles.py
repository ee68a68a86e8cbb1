"""The candles table (klines history) and the reads market data recovers from.

``marketdata_candles`` holds one row per (symbol, interval, open time), integers in the
engine's units (ticks, lots, quote minor units, µs), upserted as candles change (the
market-data sink writes the changed ones about once a second). Its own table object
lives here, on the projection's metadata, so ``orm.py`` stays the projection's.
Start-up reads the newest candles and the projection's ``trades`` after them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.db import dialect_insert
from burency_trading.adapters.orm import _big, metadata, trades
from burency_trading.domain.marketdata.candles import Candle, TradeTick
from burency_trading.domain.model import Side

__all__ = ["SqlCandleStore", "candles"]

candles = Table(
    "marketdata_candles",
    metadata,
    Column("symbol", String(32), primary_key=True),
    Column("interval", String(4), primary_key=True),
    _big("open_time", primary_key=True),
    _big("open"),
    _big("high"),
    _big("low"),
    _big("close"),
    _big("volume"),
    _big("quote_volume"),
    _big("count"),
    _big("taker_buy_volume"),
    _big("taker_buy_quote"),
    _big("first_trade_id"),
    _big("last_trade_id"),
)
_VALUES = [
    "open_time", "open", "high", "low", "close", "volume", "quote_volume", "count",
    "taker_buy_volume", "taker_buy_quote", "first_trade_id", "last_trade_id",
]  # fmt: skip


def _row(c: Candle) -> dict[str, Any]:
    return {
        "symbol": c.market,
        "interval": c.interval,
        **dict(zip(_VALUES, c.as_tuple(), strict=True)),
    }


def _candle(row: Any) -> Candle:
    return Candle.from_tuple(row.symbol, row.interval, tuple(getattr(row, n) for n in _VALUES))


def _trade(row: Any) -> TradeTick:
    return TradeTick(
        row.trade_id, row.market, row.price, row.qty, row.quote_amount,
        row.taker_side == Side.BUY.value, row.ts,
    )  # fmt: skip


class SqlCandleStore:
    """Candles in SQL (SQLite or PostgreSQL), and the trades table read for recovery."""

    def __init__(self, db: AsyncEngine) -> None:
        self._db = db

    async def save(self, changed: Sequence[Candle]) -> None:
        """Upsert candles (the newest state of each wins: they only grow)."""
        if not changed:
            return
        rows = list({(c.market, c.interval, c.open_time): _row(c) for c in changed}.values())
        async with self._db.begin() as conn:
            stmt = dialect_insert(conn, candles)
            update = {n: stmt.excluded[n] for n in _VALUES if n != "open_time"}
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["symbol", "interval", "open_time"], set_=update
                ),
                rows,
            )

    async def page(
        self, symbol: str, interval: str, *, start: int | None, end: int | None, limit: int
    ) -> list[Candle]:
        """Candles with open time in [start, end] (µs), oldest first: the first ``limit``
        from ``start``, or the newest ``limit`` when only ``end`` (or nothing) is given."""
        c = candles.c
        query = select(candles).where(c.symbol == symbol, c.interval == interval)
        if start is not None:
            query = query.where(c.open_time >= start)
        if end is not None:
            query = query.where(c.open_time <= end)
        newest_first = start is None
        order = c.open_time.desc() if newest_first else c.open_time
        async with self._db.connect() as conn:
            rows = (await conn.execute(query.order_by(order).limit(limit))).all()
        found = [_candle(r) for r in rows]
        return found[::-1] if newest_first else found

    async def latest(self, symbol: str, interval: str) -> Candle | None:
        found = await self.page(symbol, interval, start=None, end=None, limit=1)
        return found[0] if found else None

    async def since(self, symbol: str, interval: str, start: int) -> list[Candle]:
        c = candles.c
        query = (
            select(candles)
            .where(c.symbol == symbol, c.interval == interval, c.open_time >= start)
            .order_by(c.open_time)
        )
        async with self._db.connect() as conn:
            return [_candle(r) for r in (await conn.execute(query)).all()]

    async def watermark(self, symbol: str) -> int:
        """The newest trade id the stored candles of ``symbol`` include (0: none)."""
        query = select(func.max(candles.c.last_trade_id)).where(candles.c.symbol == symbol)
        async with self._db.connect() as conn:
            return int((await conn.execute(query)).scalar() or 0)

    async def trades_after(
        self, symbol: str, after_id: int, *, up_to_seq: int, limit: int
    ) -> list[TradeTick]:
        """Trades of ``symbol`` with id > ``after_id`` and seq <= ``up_to_seq``, oldest first."""
        t = trades.c
        query = (
            select(trades)
            .where(t.market == symbol, t.trade_id > after_id, t.seq <= up_to_seq)
            .order_by(t.trade_id)
            .limit(limit)
        )
        async with self._db.connect() as conn:
            return [_trade(r) for r in (await conn.execute(query)).all()]

    async def recent_trades(self, symbol: str, *, up_to_seq: int, limit: int) -> list[TradeTick]:
        """The newest ``limit`` trades of ``symbol`` up to ``up_to_seq``, oldest first."""
        t = trades.c
        query = (
            select(trades)
            .where(t.market == symbol, t.seq <= up_to_seq)
            .order_by(t.trade_id.desc())
            .limit(limit)
        )
        async with self._db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_trade(r) for r in reversed(rows)]
