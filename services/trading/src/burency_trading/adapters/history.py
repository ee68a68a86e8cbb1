"""Reading the SQL projection: a user's orders, fills, transfers and balances, and the
traded volumes behind the fee tiers.

Every list is newest first and pages by an opaque cursor (``next_cursor`` of the
previous page; a cursor that was not made here raises :class:`InvalidCursor`, a
``ValueError``, which the API answers with 422 ``INVALID_CURSOR``). Every query is
scoped to the caller's ``user_id``: a user never sees another user's rows. Amounts are
the engine's integers (ticks, lots, minor units; ``*_ts`` in microseconds): the API
formats them with the market's grid.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_trading.adapters.orm import balances, markets, orders, trades, transfers
from burency_trading.adapters.projection_batch import market_spec
from burency_trading.domain.model import MarketSpec

__all__ = [
    "MAX_LIMIT",
    "HistoryReader",
    "InvalidCursor",
    "OrderRow",
    "TransferRow",
    "UserTradeRow",
]

MAX_LIMIT = 1000
Role = Literal["MAKER", "TAKER"]


class InvalidCursor(ValueError):
    """A cursor this reader did not make (code ``INVALID_CURSOR``)."""

    code = "INVALID_CURSOR"


@dataclass(frozen=True, slots=True)
class OrderRow:
    """An order (OrderAccepted's fields, updated by OrderUpdated); ``client_order_id``
    is "" when none was given."""

    order_id: int
    user_id: str
    market: str
    side: str
    type: str
    tif: str
    price: int
    qty: int
    quote_qty: int
    stop_price: int
    post_only: bool
    client_order_id: str
    status: str
    filled_qty: int
    filled_quote: int
    fees_paid: int
    reason: str
    stop_triggered: bool
    locked_asset: str
    locked: int
    created_ts: int
    updated_ts: int
    last_seq: int

    @property
    def is_open(self) -> bool:
        return self.status in ("NEW", "PARTIALLY_FILLED")


@dataclass(frozen=True, slots=True)
class UserTradeRow:
    """A fill as one of its two users sees it: the trade's fields, plus this user's
    ``role``, ``side``, ``order_id`` and ``fee`` (quote minor units; negative = rebate).
    A self-trade appears twice, once per role."""

    trade_id: int
    market: str
    price: int
    qty: int
    quote_amount: int
    taker_side: str
    maker_order_id: int
    taker_order_id: int
    maker_user_id: str
    taker_user_id: str
    maker_fee: int
    taker_fee: int
    ts: int
    seq: int
    role: Role
    side: str
    order_id: int
    fee: int


@dataclass(frozen=True, slots=True)
class TransferRow:
    """A funding ↔ trading transfer as the engine took it: ``kind`` "in", "out" or
    "out_reversal"; ``status`` APPLIED or REFUSED (then ``reason`` is the code)."""

    transfer_id: str
    kind: str
    user_id: str
    asset: str
    amount: int
    status: str
    reason: str
    ts: int
    seq: int


def _encode(*parts: int) -> str:
    raw = ":".join(["v1", *(str(p) for p in parts)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, size: int) -> tuple[int, ...]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, *parts = raw.split(":")
        values = tuple(int(p) for p in parts)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor("cursor is invalid") from None
    if version != "v1" or len(values) != size or any(v < 0 for v in values):
        raise InvalidCursor("cursor is invalid")
    return values


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def _order(row: Mapping[str, Any]) -> OrderRow:
    values = {k: row[k] for k in OrderRow.__dataclass_fields__}
    values["client_order_id"] = values["client_order_id"] or ""
    return OrderRow(**values)


def _user_trade(row: Mapping[str, Any], role: Role) -> UserTradeRow:
    taker = role == "TAKER"
    taker_side = row["taker_side"]
    side = taker_side if taker else ("SELL" if taker_side == "BUY" else "BUY")
    return UserTradeRow(
        **{column.key: row[column.key] for column in trades.c},
        role=role, side=side,
        order_id=row["taker_order_id" if taker else "maker_order_id"],
        fee=row["taker_fee" if taker else "maker_fee"],
    )  # fmt: skip


class HistoryReader:
    """Read queries over the projection (the API's ``HistoryAccess``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def _all(self, stmt: Select[Any]) -> list[Mapping[str, Any]]:
        async with self._engine.connect() as db:
            return list((await db.execute(stmt)).mappings())

    async def list_orders(
        self, user_id: str, *, market: str | None, open_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[OrderRow], str | None]:
        limit = _limit(limit)
        stmt = select(orders).where(orders.c.user_id == user_id)
        if market is not None:
            stmt = stmt.where(orders.c.market == market)
        if open_only:
            stmt = stmt.where(orders.c.is_open.is_(True))
        if cursor is not None:
            (before,) = _decode(cursor, 1)
            stmt = stmt.where(orders.c.order_id < before)
        rows = await self._all(stmt.order_by(orders.c.order_id.desc()).limit(limit + 1))
        page = [_order(r) for r in rows[:limit]]
        return page, (_encode(page[-1].order_id) if len(rows) > limit else None)

    async def get_order(self, user_id: str, order_id: int) -> OrderRow | None:
        stmt = select(orders).where(orders.c.order_id == order_id, orders.c.user_id == user_id)
        rows = await self._all(stmt)
        return _order(rows[0]) if rows else None

    async def get_order_by_client_id(self, user_id: str, client_order_id: str) -> OrderRow | None:
        """The newest order of ``user_id`` with that client order id (the engine keeps
        them unique among open orders; history may hold older ones)."""
        if not client_order_id:
            return None
        stmt = (
            select(orders)
            .where(orders.c.user_id == user_id, orders.c.client_order_id == client_order_id)
            .order_by(orders.c.order_id.desc())
            .limit(1)
        )
        rows = await self._all(stmt)
        return _order(rows[0]) if rows else None

    async def list_trades(
        self, user_id: str, *, market: str | None, limit: int, cursor: str | None
    ) -> tuple[list[UserTradeRow], str | None]:
        """The user's fills, newest first (a self-trade's TAKER row before its MAKER row)."""
        limit = _limit(limit)
        before, after_taker = _decode(cursor, 2) if cursor is not None else (None, 0)
        fetched: list[UserTradeRow] = []
        for role, column in (("MAKER", trades.c.maker_user_id), ("TAKER", trades.c.taker_user_id)):
            stmt = select(trades).where(column == user_id)
            if market is not None:
                stmt = stmt.where(trades.c.market == market)
            if before is not None:
                # after a TAKER row at trade t, the MAKER row of t (a self-trade) is next
                same = role == "MAKER" and after_taker == 1
                stmt = stmt.where(
                    trades.c.trade_id <= before if same else trades.c.trade_id < before
                )
            stmt = stmt.order_by(trades.c.trade_id.desc()).limit(limit + 1)
            fetched.extend(_user_trade(r, role) for r in await self._all(stmt))  # type: ignore[arg-type]
        fetched.sort(key=lambda t: (t.trade_id, t.role == "TAKER"), reverse=True)
        page = fetched[:limit]
        if len(fetched) <= limit:
            return page, None
        last = page[-1]
        return page, _encode(last.trade_id, 1 if last.role == "TAKER" else 0)

    async def list_transfers(
        self, user_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[TransferRow], str | None]:
        limit = _limit(limit)
        stmt = select(transfers).where(transfers.c.user_id == user_id)
        if cursor is not None:
            (before,) = _decode(cursor, 1)
            stmt = stmt.where(transfers.c.seq < before)
        rows = await self._all(stmt.order_by(transfers.c.seq.desc()).limit(limit + 1))
        page = [TransferRow(**dict(r)) for r in rows[:limit]]
        return page, (_encode(page[-1].seq) if len(rows) > limit else None)

    async def volumes_since(self, since_ts_us: int) -> dict[str, dict[str, int]]:
        """``{user_id: {quote_asset: quote minor units traded}}`` in trades at or after
        ``since_ts_us``, as maker and as taker (the fee tiers' 30-day volume)."""
        volumes: dict[str, dict[str, int]] = {}
        joined = trades.join(markets, trades.c.market == markets.c.symbol)
        for column in (trades.c.maker_user_id, trades.c.taker_user_id):
            stmt = (
                select(column, markets.c.quote, func.sum(trades.c.quote_amount))
                .select_from(joined)
                .where(trades.c.ts >= since_ts_us)
                .group_by(column, markets.c.quote)
            )
            async with self._engine.connect() as db:
                for user, quote, total in (await db.execute(stmt)).all():
                    per_user = volumes.setdefault(user, {})
                    per_user[quote] = per_user.get(quote, 0) + int(total)
        return volumes

    async def balances(self, user_id: str) -> dict[str, tuple[int, int]]:
        """``{asset: (available, locked)}`` of the user's trading wallet (as projected:
        the engine's own balances are the live truth)."""
        stmt = select(balances.c.asset, balances.c.available, balances.c.locked).where(
            balances.c.user_id == user_id
        )
        async with self._engine.connect() as db:
            rows = (await db.execute(stmt)).all()
        return {asset: (int(available), int(locked)) for asset, available, locked in rows}

    async def markets(self) -> list[MarketSpec]:
        """Every market as last projected (symbol order)."""
        rows = await self._all(select(markets).order_by(markets.c.symbol))
        return [market_spec(r) for r in rows]
