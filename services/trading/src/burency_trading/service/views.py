"""The API's read models of orders and fills, built from engine events, the engine's
``OrderView`` or the projection's rows (all integers in the engine's units)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from burency_trading.domain.model import OrderUpdated, Trade
from burency_trading.service.context import TradeRow

__all__ = ["Fill", "OrderState", "UserTrade", "user_trades"]


@dataclass(frozen=True, slots=True)
class OrderState:
    """One order as the API shows it. ``type`` is the engine's (LIMIT with ``post_only``
    is shown as LIMIT_MAKER by the HTTP layer)."""

    order_id: int
    user_id: str
    market: str
    side: str
    type: str
    tif: str
    qty: int
    price: int
    quote_qty: int
    stop_price: int
    post_only: bool
    client_order_id: str
    status: str
    filled_qty: int
    filled_quote: int
    fees_paid: int
    created_ts: int
    updated_ts: int
    stp: str = ""

    @classmethod
    def of(cls, source: Any, *, stp: str = "") -> OrderState:
        """From an ``OrderView``, a projection row or anything with the same attributes."""
        return cls(
            order_id=int(source.order_id),
            user_id=str(source.user_id),
            market=str(source.market),
            side=str(source.side),
            type=str(source.type),
            tif=str(source.tif),
            qty=int(source.qty),
            price=int(source.price),
            quote_qty=int(source.quote_qty),
            stop_price=int(source.stop_price),
            post_only=bool(source.post_only),
            client_order_id=str(source.client_order_id or ""),
            status=str(source.status),
            filled_qty=int(source.filled_qty),
            filled_quote=int(source.filled_quote),
            fees_paid=int(source.fees_paid),
            created_ts=int(source.created_ts),
            updated_ts=int(source.updated_ts),
            stp=stp,
        )

    def updated(self, event: OrderUpdated) -> OrderState:
        """This order after an ``OrderUpdated`` event."""
        return replace(
            self,
            status=str(event.status),
            qty=event.qty,
            filled_qty=event.filled_qty,
            filled_quote=event.filled_quote,
            fees_paid=event.fees_paid,
            updated_ts=event.ts,
        )


@dataclass(frozen=True, slots=True)
class Fill:
    """One fill of an order (from its owner's side)."""

    trade_id: int
    price: int
    qty: int
    quote_amount: int
    fee: int
    is_maker: bool

    @classmethod
    def of(cls, trade: Trade, order_id: int) -> Fill:
        maker = trade.maker_order_id == order_id
        return cls(
            trade_id=trade.trade_id,
            price=trade.price,
            qty=trade.qty,
            quote_amount=trade.quote_amount,
            fee=trade.maker_fee if maker else trade.taker_fee,
            is_maker=maker,
        )


@dataclass(frozen=True, slots=True)
class UserTrade:
    """A fill from one user's side (``GET /v1/my-trades``)."""

    trade_id: int
    order_id: int
    market: str
    side: str
    price: int
    qty: int
    quote_amount: int
    fee: int
    is_maker: bool
    ts: int


def user_trades(rows: Iterable[TradeRow]) -> list[UserTrade]:
    """The projection's per-user fill rows as the API's read model."""
    return [
        UserTrade(
            trade_id=int(row.trade_id),
            order_id=int(row.order_id),
            market=str(row.market),
            side=str(row.side),
            price=int(row.price),
            qty=int(row.qty),
            quote_amount=int(row.quote_amount),
            fee=int(row.fee),
            is_maker=str(row.role) == "MAKER",
            ts=int(row.ts),
        )
        for row in rows
    ]
