"""Events the trading core publishes about orders and trades (``trading.*``).

The trading service's SQL projection writes them to its outbox in the same transaction
as the rows they describe, one per engine event, with ids derived from the journal's
sequence number (a replayed batch produces the same ids, so a consumer's inbox drops the
copy):

* ``trading.order.updated`` — an order's full state after a command touched it
  (accepted, filled, cancelled, expired, amended), keyed by the owner's ``user_id`` so a
  user's updates stay in order;
* ``trading.trade`` — one fill between a maker and a taker, keyed by ``symbol`` so a
  market's trades stay in order.

Prices, quantities, amounts and fees are decimal strings (``"0.01500000"``), as on the
public API; the fee asset is the market's quote asset. ``ts`` is epoch milliseconds of
the engine command, ``seq`` the journal's sequence number of that command (strictly
increasing per engine: a consumer may use it to drop stale updates).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from burency_common.events.registry import EventRegistry, EventSchema
from burency_common.events.schemas import EventPayload

__all__ = [
    "TRADING_ORDER_UPDATED",
    "TRADING_TRADE",
    "TradingOrderUpdated",
    "TradingTrade",
    "register_trading_events",
]

TRADING_ORDER_UPDATED = "trading.order.updated"
TRADING_TRADE = "trading.trade"

_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
_SYMBOL = r"^[A-Z0-9]{2,10}/[A-Z0-9]{2,10}$"
Side = Literal["BUY", "SELL"]


def _amount(description: str) -> str:
    return Field(pattern=_DECIMAL, max_length=64, description=description)  # type: ignore[no-any-return]


class TradingOrderUpdated(EventPayload):
    """An order's state after a command (v1). ``price`` / ``stop_price`` are "0" when the
    order type has none; ``quote_quantity`` is the amount of a market order by quote."""

    order_id: int = Field(ge=1, description="the journal seq of the command that placed it")
    user_id: str = Field(min_length=1, max_length=64)
    symbol: str = Field(pattern=_SYMBOL)
    client_order_id: str = Field(default="", max_length=64)
    side: Side
    type: str = Field(description="LIMIT, MARKET, STOP_LIMIT or STOP_MARKET")
    time_in_force: str = Field(description="GTC, IOC or FOK")
    status: str = Field(description="NEW, PARTIALLY_FILLED, FILLED, CANCELED, REJECTED or EXPIRED")
    price: str = _amount("limit price (quote per base unit)")
    quantity: str = _amount("total quantity (base)")
    quote_quantity: str = _amount("a market order's quote amount")
    stop_price: str = _amount("stop price of a STOP_* order")
    filled_quantity: str = _amount("base filled so far")
    filled_quote: str = _amount("quote traded so far")
    fees: str = _amount("fees paid so far, in fee_asset")
    fee_asset: str = Field(pattern=r"^[A-Z0-9]{2,10}$")
    reason: str = Field(default="", max_length=32, description="why it ended, e.g. IOC")
    ts: int = Field(ge=0, description="epoch milliseconds")
    seq: int = Field(ge=1, description="journal seq of the command")


class TradingTrade(EventPayload):
    """One fill between a resting (maker) and an incoming (taker) order (v1)."""

    trade_id: int = Field(ge=1)
    symbol: str = Field(pattern=_SYMBOL)
    price: str = _amount("trade price")
    quantity: str = _amount("base quantity")
    quote_amount: str = _amount("quote amount")
    taker_side: Side
    maker_order_id: int
    taker_order_id: int
    maker_user_id: str = Field(min_length=1, max_length=64)
    taker_user_id: str = Field(min_length=1, max_length=64)
    maker_fee: str = _amount("maker's fee (negative: a rebate)")
    taker_fee: str = _amount("taker's fee")
    fee_asset: str = Field(pattern=r"^[A-Z0-9]{2,10}$")
    ts: int = Field(ge=0, description="epoch milliseconds")
    seq: int = Field(ge=1, description="journal seq of the command")


def register_trading_events(registry: EventRegistry) -> None:
    registry.register(
        EventSchema(
            TRADING_ORDER_UPDATED, 1, TradingOrderUpdated, "user_id", "an order changed state"
        )
    )
    registry.register(EventSchema(TRADING_TRADE, 1, TradingTrade, "symbol", "a trade executed"))
