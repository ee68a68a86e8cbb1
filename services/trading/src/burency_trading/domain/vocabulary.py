"""The engine's enumerations: sides, order types, time in force, statuses, reasons.

Their values are on the wire (the API's enums, Binance's names) and in the journal, so a
value never changes; add members, never rename them. :mod:`burency_trading.domain.model`
re-exports them with the commands and events.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "EndReason",
    "MarketStatus",
    "OrderStatus",
    "OrderType",
    "Reject",
    "Side",
    "StpMode",
    "TimeInForce",
]


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class OrderType(StrEnum):
    LIMIT = "LIMIT"
    MARKET = "MARKET"
    STOP_LIMIT = "STOP_LIMIT"  # a LIMIT order placed when the last trade price reaches stop
    STOP_MARKET = "STOP_MARKET"  # a MARKET order placed when the last trade price reaches stop


class TimeInForce(StrEnum):
    GTC = "GTC"  # rests until filled or cancelled
    IOC = "IOC"  # fills what it can now, the rest expires
    FOK = "FOK"  # fills completely now or not at all (nothing changes)


class StpMode(StrEnum):
    """Self-trade prevention (Binance's names): what happens when a taker would match a
    resting order of the same user."""

    NONE = "NONE"  # the two orders trade with each other
    EXPIRE_TAKER = "EXPIRE_TAKER"  # the taker's remaining quantity expires
    EXPIRE_MAKER = "EXPIRE_MAKER"  # the resting order expires; matching goes on
    EXPIRE_BOTH = "EXPIRE_BOTH"  # both expire


class OrderStatus(StrEnum):
    NEW = "NEW"  # accepted, nothing filled (also an untriggered stop order)
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"  # by its owner or an admin
    REJECTED = "REJECTED"  # refused at placement (see Reject); nothing was locked
    EXPIRED = "EXPIRED"  # by its time in force, self-trade prevention, or no liquidity


class MarketStatus(StrEnum):
    TRADING = "TRADING"
    HALTED = "HALTED"  # no new orders, no cancels (an admin stops everything)
    CANCEL_ONLY = "CANCEL_ONLY"  # cancels only


class Reject(StrEnum):
    """Why a command was refused: stable codes, shown to users (docs/trading.md lists them)."""

    MARKET_UNKNOWN = "MARKET_UNKNOWN"
    MARKET_HALTED = "MARKET_HALTED"
    MARKET_CANCEL_ONLY = "MARKET_CANCEL_ONLY"
    MARKET_EXISTS = "MARKET_EXISTS"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    INVALID_ORDER = "INVALID_ORDER"  # an impossible combination (e.g. a MARKET order with a price)
    QUANTITY_TOO_SMALL = "QUANTITY_TOO_SMALL"
    QUANTITY_TOO_LARGE = "QUANTITY_TOO_LARGE"
    NOTIONAL_TOO_SMALL = "NOTIONAL_TOO_SMALL"
    PRICE_OUT_OF_BAND = "ORDER_PRICE_OUT_OF_BAND"
    POST_ONLY_WOULD_TAKE = "POST_ONLY_WOULD_TAKE"
    FOK_NOT_FILLABLE = "FOK_NOT_FILLABLE"
    NO_LIQUIDITY = "NO_LIQUIDITY"  # a market order met an empty opposite side
    STOP_WOULD_TRIGGER = "STOP_WOULD_TRIGGER_IMMEDIATELY"
    DUPLICATE_CLIENT_ORDER_ID = "DUPLICATE_CLIENT_ORDER_ID"
    TOO_MANY_OPEN_ORDERS = "TOO_MANY_OPEN_ORDERS"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    AMEND_NOT_A_DECREASE = "AMEND_NOT_A_DECREASE"
    UNKNOWN_ASSET = "UNKNOWN_ASSET"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    TRANSFER_ID_REUSED = "TRANSFER_ID_REUSED"  # same transfer id, different user/asset/amount
    TRANSFER_UNKNOWN = "TRANSFER_UNKNOWN"  # a reversal of a transfer-out that never happened


class EndReason(StrEnum):
    """Why an order left the book or was never booked (``OrderUpdated.reason``)."""

    NONE = ""  # still live, or FILLED
    USER_CANCELED = "USER_CANCELED"
    ADMIN_CANCELED = "ADMIN_CANCELED"
    IOC = "IOC"  # the unfilled rest of an IOC (or market) order
    SELF_TRADE = "SELF_TRADE"  # self-trade prevention
    NO_LIQUIDITY = "NO_LIQUIDITY"  # a market order ran out of book or hit its slippage limit
